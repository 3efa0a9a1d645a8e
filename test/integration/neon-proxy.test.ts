import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../embed-pipeline/src/free-port.ts";
import { type LocalNeonProxy, startLocalNeonProxy } from "../../scripts/lib/neon-proxy.ts";

/**
 * The local stand-in for Neon's endpoints, driven by the real Neon driver as
 * the Worker drives it: `neon()` over HTTP, Pool over WebSocket.
 */
describe("local Neon proxy", () => {
  let proxy: LocalNeonProxy;
  const postgresUrl = () => new URL(inject("postgresUrl"));
  const address = () => `${postgresUrl().hostname}:${postgresUrl().port || 5432}`;

  beforeAll(async () => {
    proxy = await startLocalNeonProxy({ port: await freePort(), allow: [address()] });
    neonConfig.fetchEndpoint = () => `http://127.0.0.1:${proxy.port}/sql`;
    neonConfig.wsProxy = (host, port) => `127.0.0.1:${proxy.port}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it("answers a query over HTTP with values parsed by their Postgres types", async () => {
    const sql = neon(postgresUrl().toString());
    const rows = await sql.query(
      `select $1::int[] as ids, $2::text as word, 42 as n, null::text as nothing,
              array['a', 'b'] as letters, $3::boolean as yes, 0.5::float8 as half`,
      [[1, 2], "it's", true],
    );
    expect(rows).toEqual([
      {
        ids: [1, 2],
        word: "it's",
        n: 42,
        nothing: null,
        letters: ["a", "b"],
        yes: true,
        half: 0.5,
      },
    ]);
  });

  it("returns a Postgres error with its code", async () => {
    const sql = neon(postgresUrl().toString());
    await expect(sql.query("select 1 / 0", [])).rejects.toMatchObject({
      code: "22012",
      message: expect.stringMatching(/division by zero/),
    });
  });

  it("refuses an address that is not on the allow-list", async () => {
    const sql = neon("postgres://postgres@10.0.0.1:5432/test");
    await expect(sql.query("select 1", [])).rejects.toThrow(/403.*not allowed/);
  });

  it("fails the query, not the proxy, when Postgres does not answer", async () => {
    const deadPort = await freePort();
    const dead = await startLocalNeonProxy({
      port: await freePort(),
      allow: [`127.0.0.1:${deadPort}`],
    });
    try {
      neonConfig.fetchEndpoint = () => `http://127.0.0.1:${dead.port}/sql`;
      const sql = neon(`postgres://postgres@127.0.0.1:${deadPort}/test`);
      await expect(sql.query("select 1", [])).rejects.toThrow(/502.*could not reach/);
    } finally {
      neonConfig.fetchEndpoint = () => `http://127.0.0.1:${proxy.port}/sql`;
      await dead.close();
    }
    // The proxy still answers.
    expect(await neon(postgresUrl().toString()).query("select 1 as one", [])).toEqual([{ one: 1 }]);
  });

  it("carries a session over WebSocket, transactions included", async () => {
    const pool = new Pool({ connectionString: postgresUrl().toString() });
    try {
      const client = await pool.connect();
      await client.query("begin");
      await client.query("create temporary table t (n int) on commit drop");
      await client.query("insert into t values (1), (2)");
      const { rows } = await client.query("select sum(n)::int as total from t");
      await client.query("commit");
      client.release();
      expect(rows).toEqual([{ total: 3 }]);
    } finally {
      await pool.end();
    }
  });
});
