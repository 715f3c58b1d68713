"""Starts moto's server (moto 5.2.1) on 127.0.0.1 with small corrections of known moto faults.

Each correction moves moto toward the documented AWS API contract; none edits moto's installed files.
They are applied in this process only and listed on start-up, one line each, so every test run says
which are active. Usage: python3 launcher.py PORT
"""

import hashlib
import io
import json
import os
import re
import sys
import threading
import uuid
from collections import OrderedDict
from datetime import datetime
from typing import Any, Callable

from werkzeug.serving import WSGIRequestHandler, run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

CORRECTIONS: list[tuple[str, str]] = []


def correction(name: str, description: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(apply: Callable[[], None]) -> Callable[[], None]:
        apply()
        CORRECTIONS.append((name, description))
        return apply

    return register


# --- CodeBuild ---------------------------------------------------------------------------------


@correction(
    "codebuild-codepipeline-source",
    "CodeBuild CreateProject: no location demanded for CODEPIPELINE/NO_SOURCE sources or CODEPIPELINE artifacts",
)
def _codebuild_codepipeline_source() -> None:
    from moto.codebuild import responses

    validate_source = responses._validate_required_params_source
    validate_artifacts = responses._validate_required_params_artifacts

    def source(src: dict[str, Any]) -> None:
        if src.get("type") in ("CODEPIPELINE", "NO_SOURCE"):
            return
        validate_source(src)

    def artifacts(art: dict[str, Any]) -> None:
        if art.get("type") == "CODEPIPELINE":
            return
        validate_artifacts(art)

    responses._validate_required_params_source = source
    responses._validate_required_params_artifacts = artifacts


@correction("codebuild-delete-by-arn", "CodeBuild DeleteProject: accept the project's ARN, as AWS does")
def _codebuild_delete_by_arn() -> None:
    from moto.codebuild.models import CodeBuildBackend

    delete = CodeBuildBackend.delete_project

    def delete_project(self: Any, project_name: str) -> None:
        delete(self, project_name.split(":project/")[-1])

    CodeBuildBackend.delete_project = delete_project

    from moto.codebuild import responses

    validate_name = responses._validate_required_params_project_name

    def name_or_arn(name: str) -> None:
        validate_name(name.split(":project/")[-1])

    responses._validate_required_params_project_name = name_or_arn


@correction("codebuild-encryption-key", "CodeBuild CreateProject: keep the encryptionKey given (moto always answers alias/aws/s3)")
def _codebuild_encryption_key() -> None:
    from moto.codebuild.responses import CodeBuildResponse

    create_project = CodeBuildResponse.create_project

    def create(self: Any) -> str:
        body = create_project(self)
        key = self._get_param("encryptionKey")
        if key:
            project = self.codebuild_backend.codebuild_projects[self._get_param("name")]
            project.project_metadata["encryptionKey"] = key
            answer = json.loads(body)
            answer["project"]["encryptionKey"] = key
            body = json.dumps(answer)
        return body

    CodeBuildResponse.create_project = create


@correction(
    "codebuild-update-project",
    "CodeBuild UpdateProject exists (moto answers 500): the settings given replace the stored ones, BatchGetProjects "
    "returns them, and the answer is {project}",
)
def _codebuild_update_project() -> None:
    from moto.codebuild import responses
    from moto.codebuild.exceptions import ResourceNotFoundException
    from moto.core.utils import unix_time

    def update_project(self: Any) -> str:
        name = self._get_param("name")
        project = self.codebuild_backend.codebuild_projects.get(name)
        if project is None:
            raise ResourceNotFoundException(
                f"Project cannot be found: arn:aws:codebuild:{self.region}:{self.current_account}:project/{name}"
            )
        # The same checks CreateProject makes (looked up now, so the corrections above apply to them).
        for field, validate in (
            ("source", responses._validate_required_params_source),
            ("artifacts", responses._validate_required_params_artifacts),
            ("environment", responses._validate_required_params_environment),
        ):
            if self._get_param(field) is not None:
                validate(self._get_param(field))
        if self._get_param("serviceRole") is not None:
            responses._validate_required_params_service_role(
                self.current_account, self.region, self._get_param("serviceRole")
            )
        metadata = project.project_metadata
        for field, value in json.loads(self.body or "{}").items():
            if field == "name":
                continue
            if field == "badgeEnabled":
                metadata["badge"] = {"badgeEnabled": value}
            elif field == "concurrentBuildLimit" and value == -1:
                metadata.pop(field, None)  # -1 removes the limit
            else:
                metadata[field] = value  # encryptionKey too: kept as given, as CreateProject keeps it
        if self._get_param("serviceRole") is not None:
            project.service_role = self._get_param("serviceRole")
        if self._get_param("tags") is not None:
            project.tags = self._get_param("tags")
        metadata["lastModifiedDate"] = unix_time()
        return json.dumps({"project": metadata})

    responses.CodeBuildResponse.update_project = update_project


# --- CodeDeploy --------------------------------------------------------------------------------


@correction("codedeploy-delete", "CodeDeploy: DeleteDeploymentGroup and DeleteApplication exist (moto answers 500)")
def _codedeploy_delete() -> None:
    from moto.codedeploy.models import CodeDeployBackend
    from moto.codedeploy.responses import CodeDeployResponse

    def delete_deployment_group(self: Any) -> str:
        backend: CodeDeployBackend = self.codedeploy_backend
        app = self._get_param("applicationName")
        backend.get_deployment_group(app, self._get_param("deploymentGroupName"))  # raises if absent
        backend.deployment_groups[app].pop(self._get_param("deploymentGroupName"))
        return json.dumps({"hooksNotCleanedUp": []})

    def delete_application(self: Any) -> str:
        backend: CodeDeployBackend = self.codedeploy_backend
        app = self._get_param("applicationName")
        # AWS deletes an application together with its deployment groups, and succeeds if it is absent.
        backend.applications.pop(app, None)
        backend.deployment_groups.pop(app, None)
        return "{}"

    CodeDeployResponse.delete_deployment_group = delete_deployment_group
    CodeDeployResponse.delete_application = delete_application


@correction(
    "codedeploy-alarm-configuration",
    "CodeDeploy GetDeploymentGroup returns the alarm configuration the group was given (moto answers {})",
)
def _codedeploy_alarm_configuration() -> None:
    from moto.codedeploy.models import DeploymentGroup

    to_dict = DeploymentGroup.to_dict

    def with_alarms(self: Any) -> dict[str, Any]:
        out = to_dict(self)
        # CreateDeploymentGroup and the update correction store the request's alarmConfiguration as given.
        if isinstance(self.alarm_configuration, dict):
            out["alarmConfiguration"] = self.alarm_configuration
        return out

    DeploymentGroup.to_dict = with_alarms


@correction(
    "codedeploy-deployment-configs",
    "CodeDeploy CreateDeploymentConfig, GetDeploymentConfig and DeleteDeploymentConfig exist (moto answers 500): "
    "custom configs are kept as given; the predefined CodeDeployDefault.* names cannot be created or deleted",
)
def _codedeploy_deployment_configs() -> None:
    from moto.codedeploy.models import CodeDeployBackend
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.exceptions import JsonRESTError

    def configs(backend: CodeDeployBackend) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "deployment_configs"):
            backend.deployment_configs = {}  # type: ignore[attr-defined]
        return backend.deployment_configs  # type: ignore[attr-defined]

    def create_deployment_config(self: Any) -> str:
        name = self._get_param("deploymentConfigName")
        store = configs(self.codedeploy_backend)
        if name in store or name.startswith("CodeDeployDefault."):
            raise JsonRESTError("DeploymentConfigAlreadyExistsException", f"Deployment config {name} already exists.")
        info = {
            "deploymentConfigId": str(uuid.uuid4()),
            "deploymentConfigName": name,
            "computePlatform": self._get_param("computePlatform") or "Server",
            "createTime": datetime.now().timestamp(),
        }
        for key in ("minimumHealthyHosts", "trafficRoutingConfig", "zonalConfig"):
            if self._get_param(key) is not None:
                info[key] = self._get_param(key)
        store[name] = info
        return json.dumps({"deploymentConfigId": info["deploymentConfigId"]})

    def get_deployment_config(self: Any) -> str:
        name = self._get_param("deploymentConfigName")
        info = configs(self.codedeploy_backend).get(name)
        if info is None:
            raise JsonRESTError("DeploymentConfigDoesNotExistException", f"Deployment config {name} does not exist.")
        return json.dumps({"deploymentConfigInfo": info})

    def delete_deployment_config(self: Any) -> str:
        name = self._get_param("deploymentConfigName")
        if name.startswith("CodeDeployDefault."):
            raise JsonRESTError("InvalidOperationException", "Predefined deployment configs cannot be deleted.")
        configs(self.codedeploy_backend).pop(name, None)
        return "{}"

    CodeDeployResponse.create_deployment_config = create_deployment_config
    CodeDeployResponse.get_deployment_config = get_deployment_config
    CodeDeployResponse.delete_deployment_config = delete_deployment_config


@correction(
    "codedeploy-update-deployment-group",
    "CodeDeploy UpdateDeploymentGroup exists (moto answers 500): the settings given (and newDeploymentGroupName) "
    "replace the stored ones, GetDeploymentGroup returns them",
)
def _codedeploy_update_deployment_group() -> None:
    from moto.codedeploy.exceptions import DeploymentGroupAlreadyExistsException
    from moto.codedeploy.models import CodeDeployBackend
    from moto.codedeploy.responses import CodeDeployResponse

    # UpdateDeploymentGroup field -> moto's DeploymentGroup attribute
    fields = {
        "deploymentConfigName": "deployment_config_name",
        "ec2TagFilters": "ec2_tag_filters",
        "onPremisesInstanceTagFilters": "on_premises_instance_tag_filters",
        "autoScalingGroups": "auto_scaling_groups",
        "serviceRoleArn": "service_role_arn",
        "triggerConfigurations": "trigger_configurations",
        "alarmConfiguration": "alarm_configuration",
        "autoRollbackConfiguration": "auto_rollback_configuration",
        "outdatedInstancesStrategy": "outdated_instances_strategy",
        "deploymentStyle": "deployment_style",
        "blueGreenDeploymentConfiguration": "blue_green_deployment_configuration",
        "loadBalancerInfo": "load_balancer_info",
        "ec2TagSet": "ec2_tag_set",
        "ecsServices": "ecs_services",
        "onPremisesTagSet": "on_premises_tag_set",
        "terminationHookEnabled": "termination_hook_enabled",
    }

    def update_deployment_group(self: Any) -> str:
        backend: CodeDeployBackend = self.codedeploy_backend
        app = self._get_param("applicationName")
        current = self._get_param("currentDeploymentGroupName")
        group = backend.get_deployment_group(app, current)  # raises if absent
        new = self._get_param("newDeploymentGroupName")
        if new and new != current:
            if new in backend.deployment_groups[app]:
                raise DeploymentGroupAlreadyExistsException(f"Deployment group {new} already exists.")
            backend.deployment_groups[app][new] = backend.deployment_groups[app].pop(current)
            group.deployment_group_name = new
            # The group keeps its tags under its new ARN.
            prefix = f"arn:aws:codedeploy:{self.region}:{self.current_account}:deploymentgroup:{app}/"
            if prefix + current in backend.tagger.tags:
                backend.tagger.tags[prefix + new] = backend.tagger.tags.pop(prefix + current)
        for field, attribute in fields.items():
            if self._get_param(field) is not None:
                setattr(group, attribute, self._get_param(field))
        return json.dumps({"hooksNotCleanedUp": []})

    CodeDeployResponse.update_deployment_group = update_deployment_group


# --- Route 53 ---------------------------------------------------------------------------------


@correction("route53-zone-ids", "Route 53 hosted zone ids start with Z, as AWS's always do (moto draws all 22 characters at random)")
def _route53_zone_ids() -> None:
    from moto.route53 import models

    draw = models.create_route53_zone_id

    def zone_id(*args: Any, **kwargs: Any) -> str:
        drawn = draw(*args, **kwargs)
        return drawn if drawn.startswith("Z") else f"Z{drawn[1:]}"

    models.create_route53_zone_id = zone_id


# --- CodeCommit --------------------------------------------------------------------------------


@correction(
    "codecommit-tags",
    "CodeCommit: keep the tags given to CreateRepository; ListTagsForResource, TagResource, UntagResource exist",
)
def _codecommit_tags() -> None:
    from moto.codecommit.responses import CodeCommitResponse

    tags_by_arn: dict[str, dict[str, str]] = {}
    create_repository = CodeCommitResponse.create_repository

    def create(self: Any) -> str:
        body = create_repository(self)
        arn = json.loads(body)["repositoryMetadata"]["Arn"]
        tags_by_arn[arn] = dict(self._get_param("tags") or {})
        return body

    def list_tags_for_resource(self: Any) -> str:
        return json.dumps({"tags": tags_by_arn.get(self._get_param("resourceArn"), {})})

    def tag_resource(self: Any) -> str:
        tags_by_arn.setdefault(self._get_param("resourceArn"), {}).update(self._get_param("tags") or {})
        return "{}"

    def untag_resource(self: Any) -> str:
        tags = tags_by_arn.setdefault(self._get_param("resourceArn"), {})
        for key in self._get_param("tagKeys") or []:
            tags.pop(key, None)
        return "{}"

    CodeCommitResponse.create_repository = create
    CodeCommitResponse.list_tags_for_resource = list_tags_for_resource
    CodeCommitResponse.tag_resource = tag_resource
    CodeCommitResponse.untag_resource = untag_resource


# --- CloudWatch Logs ---------------------------------------------------------------------------


@correction(
    "logs-associate-kms-key",
    "CloudWatch Logs: AssociateKmsKey and DisassociateKmsKey exist (moto answers 500), so a log group's kmsKeyId "
    "can change",
)
def _logs_associate_kms_key() -> None:
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def log_group(self: Any) -> Any:
        group = self.logs_backend.groups.get(self._get_param("logGroupName"))
        if group is None:
            raise ResourceNotFoundException()
        return group

    def associate_kms_key(self: Any) -> str:
        log_group(self).kms_key_id = self._get_param("kmsKeyId")
        return ""

    def disassociate_kms_key(self: Any) -> str:
        log_group(self).kms_key_id = None
        return ""

    LogsResponse.associate_kms_key = associate_kms_key
    LogsResponse.disassociate_kms_key = disassociate_kms_key


# --- ECR ---------------------------------------------------------------------------------------


@correction(
    "ecr-scan-on-push-default",
    "ECR PutImageScanningConfiguration: a configuration without scanOnPush means false, as documented (moto "
    "ignored it and kept true)",
)
def _ecr_scan_on_push_default() -> None:
    from moto.ecr.models import Repository

    def update_image_scanning_configuration(self: Any, image_scanning_configuration: dict[str, Any] | None) -> None:
        if image_scanning_configuration is not None:  # moto skipped an empty one: the SDK omits scanOnPush=false
            self.image_scanning_configuration = {"scanOnPush": False, **image_scanning_configuration}

    Repository._update_image_scanning_configuration = update_image_scanning_configuration


# --- Application Auto Scaling ------------------------------------------------------------------


@correction(
    "appautoscaling-tags",
    "Application Auto Scaling: keep the Tags given to RegisterScalableTarget; ListTagsForResource, TagResource, "
    "UntagResource exist",
)
def _appautoscaling_tags() -> None:
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
    from moto.core.exceptions import JsonRESTError

    tags_by_arn: dict[str, dict[str, str]] = {}
    register_scalable_target = ApplicationAutoScalingResponse.register_scalable_target
    deregister_scalable_target = ApplicationAutoScalingResponse.deregister_scalable_target

    def target_arns(self: Any) -> set[str]:
        targets = self.applicationautoscaling_backend.targets
        return {target.arn for by_resource in targets.values() for target in by_resource.values()}

    def tags_of(self: Any) -> dict[str, str]:
        arn = self._get_param("ResourceARN")
        if arn not in target_arns(self):
            raise JsonRESTError("ResourceNotFoundException", f"No scalable target found for ARN {arn}")
        return tags_by_arn.setdefault(arn, {})

    def register(self: Any) -> str:
        body = register_scalable_target(self)
        # As in AWS, Tags apply when the target is created; an existing target keeps its own (TagResource changes them).
        tags_by_arn.setdefault(json.loads(body)["ScalableTargetARN"], dict(self._get_param("Tags") or {}))
        return body

    def deregister(self: Any) -> str:
        before = target_arns(self)
        body = deregister_scalable_target(self)
        for arn in before - target_arns(self):
            tags_by_arn.pop(arn, None)
        return body

    def list_tags_for_resource(self: Any) -> str:
        return json.dumps({"Tags": tags_of(self)})

    def tag_resource(self: Any) -> str:
        tags_of(self).update(self._get_param("Tags") or {})
        return "{}"

    def untag_resource(self: Any) -> str:
        tags = tags_of(self)
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return "{}"

    ApplicationAutoScalingResponse.register_scalable_target = register
    ApplicationAutoScalingResponse.deregister_scalable_target = deregister
    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource
    ApplicationAutoScalingResponse.tag_resource = tag_resource
    ApplicationAutoScalingResponse.untag_resource = untag_resource


# --- RDS ---------------------------------------------------------------------------------------


@correction(
    "rds-unique-dbi-resource-id",
    "RDS: each DB instance gets its own DbiResourceId (moto gives all the same one), so a dbi-resource-id filter "
    "finds one instance",
)
def _rds_unique_dbi_resource_id() -> None:
    import random
    import string

    from moto.rds.models import DBInstance

    init = DBInstance.__init__
    alphabet = string.ascii_uppercase + string.digits

    def db_instance_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.dbi_resource_id = "db-" + "".join(random.choices(alphabet, k=26))  # AWS's form: db- and 26 of A-Z0-9

    DBInstance.__init__ = db_instance_init


@correction(
    "rds-performance-insights",
    "RDS CreateDBInstance / ModifyDBInstance: keep EnablePerformanceInsights, PerformanceInsightsKMSKeyId and "
    "PerformanceInsightsRetentionPeriod, which DescribeDBInstances then answers (moto drops them)",
)
def _rds_performance_insights() -> None:
    from moto.rds.models import DBInstance

    init = DBInstance.__init__

    def db_instance_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.enable_performance_insights = bool(kwargs.get("enable_performance_insights", False))
        self.performance_insights_kms_key_id = kwargs.get("performance_insights_kms_key_id")
        self.performance_insights_retention_period = kwargs.get("performance_insights_retention_period")

    DBInstance.__init__ = db_instance_init
    # ModifyDBInstance sets the request's fields under the request's names; DescribeDBInstances answers this one.
    DBInstance.performance_insights_enabled = property(lambda self: getattr(self, "enable_performance_insights", False))


# --- Lambda ------------------------------------------------------------------------------------


@correction(
    "lambda-update-tracing-config",
    "Lambda UpdateFunctionConfiguration: keep the TracingConfig given (moto ignores it, so a function that "
    "turns tracing on or off kept its old mode)",
)
def _lambda_update_tracing_config() -> None:
    from moto.awslambda.models import LambdaFunction

    update = LambdaFunction.update_configuration

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "TracingConfig" in config_updates:
            self.tracing_config = config_updates["TracingConfig"] or {"Mode": "PassThrough"}
        return update(self, config_updates)

    LambdaFunction.update_configuration = update_configuration


# --- ECS ---------------------------------------------------------------------------------------


# CreateService settings moto accepts but does not keep, so DescribeServices omits them.
ECS_SERVICE_FIELDS_MOTO_DROPS = {
    "availabilityZoneRebalancing": ("availability_zone_rebalancing", "DISABLED"),  # AWS's default when not sent
    "healthCheckGracePeriodSeconds": ("health_check_grace_period_seconds", None),
    "enableECSManagedTags": ("enable_ecs_managed_tags", False),
    "enableExecuteCommand": ("enable_execute_command", False),
}


@correction(
    "ecs-create-service-fields",
    "ECS CreateService: keep availabilityZoneRebalancing, healthCheckGracePeriodSeconds, enableECSManagedTags and enableExecuteCommand "
    "so DescribeServices returns them",
)
def _ecs_create_service_fields() -> None:
    from moto.ecs.models import Service
    from moto.ecs.responses import EC2ContainerServiceResponse

    requested = threading.local()
    create_service = EC2ContainerServiceResponse.create_service
    init = Service.__init__

    def create(self: Any) -> Any:
        requested.params = {name: self._get_param(name) for name in ECS_SERVICE_FIELDS_MOTO_DROPS}
        try:
            return create_service(self)
        finally:
            requested.params = {}

    def service_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        params = getattr(requested, "params", {})
        for name, (attribute, default) in ECS_SERVICE_FIELDS_MOTO_DROPS.items():
            value = params.get(name)
            setattr(self, attribute, default if value is None else value)

    EC2ContainerServiceResponse.create_service = create
    Service.__init__ = service_init


# --- EC2 ---------------------------------------------------------------------------------------


@correction(
    "ec2-rule-description",
    "EC2 DescribeSecurityGroupRules: return the description of a rule that references a security group",
)
def _ec2_rule_description() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule

    SecurityGroupRule.description = property(
        lambda self: self.ip_range.get("Description") or self.source_group.get("Description")
    )


# --- AWS JSON protocol timestamps (response rewrite) ---------------------------------------------

JSON_TIMESTAMP_TARGETS = ("CodeDeploy_20141006.", "CodePipeline_20150709.", "CodeCommit_20150413.")
ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


def _epoch(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _epoch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_epoch(v) for v in value]
    if isinstance(value, str) and ISO_TIMESTAMP.match(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return value


CORRECTIONS.append(
    (
        "json-epoch-timestamps",
        "CodeDeploy, CodePipeline, CodeCommit: timestamps as epoch seconds (AWS JSON protocol), not ISO strings",
    )
)


# --- CodeStar Connections stand-in ----------------------------------------------------------------

CODESTAR_TARGET = "CodeStar_connections_20191201."


class CodeStarConnectionsStandIn:
    """moto has no CodeStar Connections API. This answers the calls the AWS provider makes, as the
    documented JSON API does; a new connection is PENDING, as in AWS, until someone activates it."""

    def __init__(self) -> None:
        self.connections: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, list[dict[str, str]]] = {}

    def handle(self, action: str, body: dict[str, Any], region: str) -> tuple[int, dict[str, Any]]:
        if action == "CreateConnection":
            arn = f"arn:aws:codestar-connections:{region}:123456789012:connection/{uuid.uuid4()}"
            connection = {
                "ConnectionName": body["ConnectionName"],
                "ConnectionArn": arn,
                "ProviderType": body.get("ProviderType", "GitHub"),
                "OwnerAccountId": "123456789012",
                "ConnectionStatus": "PENDING",
            }
            if body.get("HostArn"):
                connection["HostArn"] = body["HostArn"]
            self.connections[arn] = connection
            self.tags[arn] = body.get("Tags", [])
            return 200, {"ConnectionArn": arn, "Tags": self.tags[arn]}
        if action == "GetConnection":
            found = self.connections.get(body["ConnectionArn"])
            if not found:
                return 400, {"__type": "ResourceNotFoundException", "message": "Connection not found"}
            return 200, {"Connection": found}
        if action == "DeleteConnection":
            if self.connections.pop(body["ConnectionArn"], None) is None:
                return 400, {"__type": "ResourceNotFoundException", "message": "Connection not found"}
            self.tags.pop(body["ConnectionArn"], None)
            return 200, {}
        if action == "ListConnections":
            return 200, {"Connections": list(self.connections.values())}
        if action == "ListTagsForResource":
            return 200, {"Tags": self.tags.get(body["ResourceArn"], [])}
        if action == "TagResource":
            current = {t["Key"]: t["Value"] for t in self.tags.get(body["ResourceArn"], [])}
            current.update({t["Key"]: t["Value"] for t in body.get("Tags", [])})
            self.tags[body["ResourceArn"]] = [{"Key": k, "Value": v} for k, v in current.items()]
            return 200, {}
        if action == "UntagResource":
            keys = set(body.get("TagKeys", []))
            self.tags[body["ResourceArn"]] = [t for t in self.tags.get(body["ResourceArn"], []) if t["Key"] not in keys]
            return 200, {}
        return 400, {"__type": "UnknownOperationException", "message": f"{action} is not in the stand-in"}


CORRECTIONS.append(
    ("codestar-connections-standin", "CodeStar Connections (absent from moto): a stand-in for its JSON API")
)


class Corrected:
    """
    WSGI wrapper around moto's app: one request at a time, a retried call answered as before, the CodeStar
    stand-in, the JSON timestamp rewrite, and a line on stderr for every answer of 500 or more and every replay.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.codestar = CodeStarConnectionsStandIn()
        self.one_at_a_time = threading.Lock()
        # The last answers by the SDK's invocation id (the same on every attempt of one call).
        self.answered: "OrderedDict[str, tuple[str, list[tuple[str, str]], bytes]]" = OrderedDict()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        captured, capture = _capturing()
        # The request body is read once here, so a failure can name its action (Query APIs carry it in the body).
        # A chunked body (no Content-Length) is left to moto as it came.
        request = b""
        if environ.get("CONTENT_LENGTH"):
            request = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
            environ["wsgi.input"] = io.BytesIO(request)
        action = _action_of(environ, request)
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID", "")
        attempt = environ.get("HTTP_AMZ_SDK_REQUEST", "").split(";")[0]
        # The whole answer is made under the lock, body included: moto builds some bodies lazily.
        with self.one_at_a_time:
            replay = self.answered.get(invocation) if invocation and attempt not in ("", "attempt=1") else None
            if replay is None:
                body = b"".join(self.answer(environ, capture))
                if invocation and int(captured["status"].split()[0]) < 500:
                    self.answered[invocation] = (captured["status"], captured["headers"], body)
                    while len(self.answered) > 2000:
                        self.answered.popitem(last=False)
        if replay is not None:
            print(f"moto replayed its answer to {action} ({attempt} of one call: the client never read the first answer)", file=sys.stderr, flush=True)
            captured["status"], captured["headers"], body = replay
        status = int(captured["status"].split()[0])
        if status >= 500:
            print(f"moto answered {status} to {action}: {body[:300]!r}", file=sys.stderr, flush=True)
        if REQUEST_LOG:
            # One line per request: a request sent twice shows as two lines with the same action and digest.
            digest = hashlib.sha1(request).hexdigest()[:12]
            with REQUEST_LOG_LOCK, open(REQUEST_LOG, "a") as log:
                log.write(f"{datetime.now().isoformat(timespec='milliseconds')} {status} {action} {digest} {attempt or '-'}{' replayed' if replay else ''}\n")
        start_response(captured["status"], captured["headers"])
        return [body]

    def answer(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if CODESTAR_TARGET in target:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            region = _region_of(environ.get("HTTP_AUTHORIZATION", ""))
            status, answer = self.codestar.handle(target.split(".")[-1], body, region)
            payload = json.dumps(answer).encode()
            start_response(
                "200 OK" if status == 200 else "400 Bad Request",
                [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(payload)))],
            )
            return [payload]
        if not target.startswith(JSON_TIMESTAMP_TARGETS):
            return self.app(environ, start_response)

        captured, capture = _capturing()
        raw = b"".join(self.app(environ, capture))
        try:
            raw = json.dumps(_epoch(json.loads(raw))).encode()
        except ValueError:
            pass  # not JSON (an error page): pass through unchanged
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(raw))))
        start_response(captured["status"], headers)
        return [raw]


CORRECTIONS.append(
    (
        "retried-call-answered-once",
        "a call the SDK sends again (same amz-sdk-invocation-id, attempt 2 or later) after moto answered it below 500 "
        "gets that answer again instead of being carried out twice: the provider's SDK resent creates and deletes whose "
        "answer it never read (a duplicate subnet, route or deployment group; a listener deleted twice)",
    )
)

CORRECTIONS.append(
    (
        "one-request-at-a-time",
        "every request is answered under one lock: moto's backends are dicts and lists without locks, and its threaded "
        "server let concurrent requests race (a security group lost a rule while others in it were revoked)",
    )
)


# MOTO_REQUEST_LOG=<file>: every request's time, status, action and body digest, for finding a request sent twice.
REQUEST_LOG = os.environ.get("MOTO_REQUEST_LOG")
REQUEST_LOG_LOCK = threading.Lock()


def _capturing() -> tuple[dict[str, Any], Callable[..., Callable[[bytes], None]]]:
    """A start_response that keeps the status and headers, for an answer written later (or again)."""
    captured: dict[str, Any] = {}

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, headers
        return lambda _data: None

    return captured, capture


def _action_of(environ: dict[str, Any], body: bytes) -> str:
    """The API action a request asks for: its JSON target, else a Query API's Action (URL or body), else method and path."""
    match = re.search(r"(?:^|&)Action=([A-Za-z0-9]+)", environ.get("QUERY_STRING", "") + "&" + body.decode("utf8", "replace"))
    return environ.get("HTTP_X_AMZ_TARGET") or (match.group(1) if match else f'{environ.get("REQUEST_METHOD")} {environ.get("PATH_INFO", "")}')


def _region_of(authorization: str) -> str:
    match = re.search(r"Credential=[^/]+/\d+/([^/]+)/", authorization)
    return match.group(1) if match else "us-east-1"


class OneRequestPerConnection(WSGIRequestHandler):
    """
    Each answer closes its connection (HTTP/1.0). On werkzeug's threaded HTTP/1.1 server a kept-alive
    connection could be dropped after a request was served, and the provider then sent that create again
    (a duplicate database, rule or listener-rule priority, now and then, under load).
    """

    protocol_version = "HTTP/1.0"

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass  # no line per request (thousands per stack, each read by the test runner); errors are still logged

    def connection_dropped(self, error: BaseException, environ: dict[str, Any] | None = None) -> None:
        # The client's side of the connection went away before its answer was written: the request may have
        # been carried out, and a client that retries sends it again. Said on stderr, so reports show it.
        environ = environ or {}
        body = environ["wsgi.input"].getvalue() if isinstance(environ.get("wsgi.input"), io.BytesIO) else b""
        print(f"Error on request: connection dropped while answering {_action_of(environ, body)}: {error!r}", file=sys.stderr, flush=True)


def main() -> None:
    port = int(sys.argv[1])
    for name, description in CORRECTIONS:
        print(f"moto correction active: {name}: {description}", flush=True)
    app = Corrected(DomainDispatcherApplication(create_backend_app))
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False, request_handler=OneRequestPerConnection)


if __name__ == "__main__":
    main()
