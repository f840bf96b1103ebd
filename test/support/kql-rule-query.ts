/**
 * The KQL of a public hunting rule, read from the rule's YAML text as it is on disk (CRLF line
 * endings, trailing spaces and all): the lines of the `query: |` block scalar, without the
 * block's indentation, with their original line endings. The public files are not all valid YAML
 * (mis-indented blocks), so this reads the block directly; tests compare it with what the `yaml`
 * library recovers.
 */

/** The query block of a rule's YAML text, original line endings kept. */
export function ruleQuery(yamlText: string): string {
  const lines = yamlText.split(/(?<=\n)/);
  const start = lines.findIndex((line) => /^query:\s*\|[-+]?\s*$/.test(line.replace(/\r?\n$/, '')));
  if (start < 0) throw new Error('no "query: |" block in the rule');
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== '' && !/^[ \t]/.test(line)) break;
    block.push(line);
  }
  const indent = /^[ \t]*/.exec(block.find((line) => line.trim() !== '') ?? '')![0].length;
  return block.map((line) => (line.trim() === '' ? line.replace(/^[ \t]*/, '') : line.slice(indent))).join('');
}
