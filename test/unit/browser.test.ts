import { afterEach, describe, expect, it } from "vitest";
import { findBrowser } from "../../scripts/lib/browser.ts";

describe("findBrowser", () => {
  const saved = process.env.CHROMIUM_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  });

  it("takes CHROMIUM_PATH first, and names it when it is wrong", () => {
    process.env.CHROMIUM_PATH = process.execPath;
    expect(findBrowser(["/nowhere/chromium"])).toBe(process.execPath);
    process.env.CHROMIUM_PATH = "/nowhere/chrome";
    expect(() => findBrowser()).toThrow("CHROMIUM_PATH=/nowhere/chrome does not exist");
  });

  it("takes the first installed one, and none when none is", () => {
    delete process.env.CHROMIUM_PATH;
    expect(findBrowser(["/nowhere/chromium", process.execPath])).toBe(process.execPath);
    expect(findBrowser(["/nowhere/chromium", "/nowhere/chrome"])).toBeUndefined();
  });
});
