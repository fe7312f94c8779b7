import { describe, expect, it } from "vitest";
import { ApiError, errorMessage } from "@/api/errors";
import { problemMessage } from "./problem-messages";

const err = (code: string, detail: string, status = 409) => new ApiError({ type: "about:blank", title: "x", status, code, detail });

describe("problem messages", () => {
  it("turns known codes into words with a next step", () => {
    expect(errorMessage(err("invalid_credentials", "email or password is wrong", 401))).toBe("That email and password do not match. Check them, or use “Forgot password?”.");
    expect(errorMessage(err("last_owner", "the last owner cannot leave"))).toMatch(/Make someone else an owner first/);
  });

  it("keeps the server's detail for other codes, as a sentence", () => {
    expect(errorMessage(err("product_in_use", "3 members have access; archive it instead"))).toBe("3 members have access; archive it instead.");
    expect(problemMessage(undefined, "user not found")).toBe("User not found.");
    expect(problemMessage(undefined, "")).toBe("Something went wrong. Try again.");
  });
});
