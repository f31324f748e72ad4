import type { CheckResult } from "../gen/CheckResult";
import type { ImportResult } from "../gen/ImportResult";

/** What came of picking a file to import. */
export type ImportOutcome =
  | { kind: "imported"; name: string; result: ImportResult }
  | { kind: "invalid"; name: string; check: CheckResult; message: string }
  | { kind: "failed"; name: string; message: string };

export type ImportProblem = Exclude<ImportOutcome, { kind: "imported" }>;
