import { describe, expect, it } from "vitest";
import { logLogSlope } from "../../scripts/lib/log-log-plot.ts";

describe("logLogSlope", () => {
  it("is the exponent of a power law, whatever its constant", () => {
    expect(logLogSlope([1, 10, 100].map((x) => [x, 3 * x]))).toBeCloseTo(1, 10);
    expect(logLogSlope([1, 10, 100].map((x) => [x, 0.5 * x ** 2]))).toBeCloseTo(2, 10);
    expect(logLogSlope([1, 10, 100].map((x) => [x, 42]))).toBeCloseTo(0, 10);
  });

  it("leaves out points it cannot take the log of, and needs two", () => {
    expect(
      logLogSlope([
        [1, 2],
        [10, Number.NaN],
        [100, 200],
      ]),
    ).toBeCloseTo(1, 10);
    expect(
      logLogSlope([
        [1, 0],
        [10, 5],
      ]),
    ).toBeNaN();
  });
});
