import { Construct } from "constructs";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";

export interface HttpsDomainProps {
  /** The name the environment is served under, e.g. shop.example.com. */
  readonly domainName: string;
  /** The public hosted zone of domainName: certificate validation and the alias record go there. @default none */
  readonly hostedZoneId?: string;
  /** An existing ACM certificate for domainName in the stack's region. @default one requested and DNS-validated here */
  readonly certificateArn?: string;
}

/**
 * The TLS side of one environment: the certificate its listeners serve (an existing one, or one requested
 * from ACM and validated through Route 53) and, with a hosted zone, the alias record naming its load balancer.
 */
export class HttpsDomain extends Construct {
  readonly domainName: string;
  /** The certificate ARN, available to listeners only once ACM has issued it. */
  readonly certificateArn: string;
  private readonly hostedZoneId?: string;

  constructor(scope: Construct, id: string, props: HttpsDomainProps) {
    super(scope, id);
    this.domainName = props.domainName;
    this.hostedZoneId = props.hostedZoneId;
    if (props.certificateArn) {
      this.certificateArn = props.certificateArn;
      return;
    }
    const certificate = new AcmCertificate(this, "certificate", {
      domainName: props.domainName,
      validationMethod: "DNS",
      // A replacement certificate must exist before the listeners let go of the old one.
      lifecycle: { createBeforeDestroy: true },
    });
    // One name, so one validation record.
    const option = certificate.domainValidationOptions.get(0);
    const record = new Route53Record(this, "validation-record", {
      zoneId: props.hostedZoneId!,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 60,
      // ACM gives the same record for a re-requested certificate of the same name.
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, "validation", {
      certificateArn: certificate.arn,
      validationRecordFqdns: [record.fqdn],
    });
    this.certificateArn = validation.certificateArn;
  }

  /** Points domainName at the load balancer (an alias A record), when there is a hosted zone. */
  pointAt(loadBalancer: Lb): Route53Record | undefined {
    if (!this.hostedZoneId) return undefined;
    return new Route53Record(this, "alias", {
      zoneId: this.hostedZoneId,
      name: this.domainName,
      type: "A",
      alias: { name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true },
    });
  }
}
