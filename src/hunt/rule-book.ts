/**
 * The user's hunting rules (`HUNT_RULES_DIR`), loaded once at start-up: found by id or by name,
 * with what could not be read kept for the `rules` command.
 */
import { formatRuleProblem, loadRuleDir, type HuntingRule, type RuleProblem } from './rules';

/** Loaded rules and the problems of the folder. */
export class RuleBook {
  private readonly byKey = new Map<string, HuntingRule>();

  constructor(
    readonly rules: readonly HuntingRule[],
    readonly problems: readonly RuleProblem[] = [],
    /** Whether a rules folder is configured at all. */
    readonly configured = true,
  ) {
    for (const rule of rules) {
      this.byKey.set(rule.id.toLowerCase(), rule);
      if (!this.byKey.has(rule.name.toLowerCase())) this.byKey.set(rule.name.toLowerCase(), rule);
    }
  }

  /** The rule with this id or name (any case), if any. */
  find(word: string): HuntingRule | undefined {
    return this.byKey.get(word.trim().toLowerCase());
  }

  /** Problems as lines fit for a user. */
  problemLines(): string[] {
    return this.problems.map(formatRuleProblem);
  }
}

/** An empty book, when no rules folder is configured. */
export const NO_RULES = new RuleBook([], [], false);

/**
 * Loads every rule of a folder. Rules and problems name files relative to the folder, and the
 * folder itself `HUNT_RULES_DIR`: cards never show where the bot's files are.
 */
export async function loadRuleBook(dir: string): Promise<RuleBook> {
  const { rules, problems } = await loadRuleDir(dir, { folderName: 'HUNT_RULES_DIR' });
  return new RuleBook(rules, problems);
}
