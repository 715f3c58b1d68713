import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Moto, startMoto } from "../scripts/lib/moto";

/**
 * The launcher's transport corrections, against a real moto: a call the SDK sends again (same invocation id,
 * a later attempt) is answered as before instead of being carried out twice; everything else is carried out.
 */
describe("moto launcher", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(() => moto?.stop());

  /** SSM PutParameter as the AWS SDK sends it (JSON protocol), with the SDK's retry headers. */
  const putParameter = (name: string, invocation: string, attempt: number) =>
    fetch(`${moto.endpoint}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonSSM.PutParameter",
        Authorization: "AWS4-HMAC-SHA256 Credential=test/20261204/eu-west-1/ssm/aws4_request, SignedHeaders=host, Signature=0",
        "amz-sdk-invocation-id": invocation,
        "amz-sdk-request": `attempt=${attempt}; max=25`,
      },
      body: JSON.stringify({ Name: name, Value: "v", Type: "String" }),
    }).then(async (r) => ({ status: r.status, body: await r.text() }));

  it("answers a retried attempt of a call it carried out with the same answer, once, and says so", async () => {
    const first = await putParameter("/launcher/retried", "invocation-1", 1);
    expect(first.status).toBe(200);
    const retried = await putParameter("/launcher/retried", "invocation-1", 2);
    expect(retried).toEqual(first); // carried out again, PutParameter would answer ParameterAlreadyExists
    await new Promise((r) => setTimeout(r, 200)); // stderr arrives after the answer
    expect(moto.serverErrors.some((l) => /^moto replayed its answer to AmazonSSM\.PutParameter \(attempt=2/.test(l))).toBe(true);
  });

  it("carries out another call with the same content, and a first attempt, as AWS would", async () => {
    expect((await putParameter("/launcher/twice", "invocation-2", 1)).status).toBe(200);
    const another = await putParameter("/launcher/twice", "invocation-3", 1);
    expect(another.status).toBe(400);
    expect(another.body).toContain("ParameterAlreadyExists");
    const firstAttemptAgain = await putParameter("/launcher/twice", "invocation-2", 1);
    expect(firstAttemptAgain.status).toBe(400);
  });

  it("lists its corrections on start-up, the retry one among them", () => {
    expect(moto.corrections).toEqual(expect.arrayContaining(["retried-call-answered-once", "one-request-at-a-time"]));
  });
});
