/** Argument parsing and exit codes shared by the plan and audit commands. */

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
/** The tool itself failed (a bug or an unexpected error), as opposed to the plan's verdict. */
export const EXIT_INTERNAL = 3;

export class UsageError extends Error {}

/** Whether the arguments ask for help (`--help` or `-h` anywhere). */
export function wantsHelp(argv: readonly string[]): boolean {
    return argv.includes("--help") || argv.includes("-h");
}

/** The exit codes, as the help texts and the README state them. */
export const EXIT_CODES_HELP =
    "exit codes: 0 ok, 1 a mandatory policy fails, 2 bad usage, bad config or a malformed file, 3 internal error";

export interface ParsedArgs {
    positional: string[];
    flags: Record<string, string>;
    /** Switches given (options that take no value). */
    switches: Set<string>;
}

/** `a --x v --y w --s` -> positional [a], flags {x: v, y: w}, switches {s}; only the options named are accepted. */
export function parseArgs(argv: readonly string[], allowed: readonly string[], allowedSwitches: readonly string[] = []): ParsedArgs {
    const positional: string[] = [];
    const flags: Record<string, string> = {};
    const switches = new Set<string>();
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (!arg.startsWith("--")) {
            positional.push(arg);
            continue;
        }
        const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
        if (allowedSwitches.includes(name) && inline === undefined) {
            switches.add(name);
            continue;
        }
        if (!allowed.includes(name))
            throw new UsageError(`unknown option --${name}; expected ${[...allowed, ...allowedSwitches].map((a) => `--${a}`).join(", ")}`);
        const value = inline ?? argv[++i];
        if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
        flags[name] = value;
    }
    return { positional, flags, switches };
}

/** A flag that takes a positive whole number: undefined when absent, a usage error naming the flag when not one. */
export function positiveFlag(flags: Record<string, string>, name: string): number | undefined {
    if (flags[name] === undefined) return undefined;
    const value = Number(flags[name]);
    if (!Number.isInteger(value) || value <= 0)
        throw new UsageError(`--${name}: expected a positive whole number, got ${JSON.stringify(flags[name])}`);
    return value;
}
