/** Run the CLI from source as a user would; returns exit code and output. */
export declare function getsei(args: string[], opts?: {
    cwd?: string;
    timeoutMs?: number;
}): {
    code: number;
    stdout: string;
    stderr: string;
};
/** Debian's interpreter: the Python stack the cross-checks use comes from Debian packages, not from a user's venv. */
export declare const DEBIAN_PYTHON = "/usr/bin/python3";
/** True when a missing cross-check reference must fail the test rather than skip it (CI sets both). */
export declare function referencesRequired(): boolean;
/**
 * Whether Debian's python3 can import every module a cross-check needs. Under CI (referencesRequired) a missing
 * module throws, so a cross-check can never pass by not running; locally it returns false and the caller skips,
 * saying so in the test output.
 */
export declare function pythonHas(modules: readonly string[]): boolean;
