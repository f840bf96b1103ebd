/**
 * Validates cards against the Adaptive Card 1.5 JSON schema in `../shared/schemas/` (draft-06, with
 * its top-level `id` renamed to `$id` as ajv expects).
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json';
import { ADAPTIVE_CARD_SCHEMA } from './shared';

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!validate) {
    const { id, ...schema } = JSON.parse(readFileSync(ADAPTIVE_CARD_SCHEMA, 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addMetaSchema(draft6);
    validate = ajv.compile({ ...schema, $id: id });
  }
  return validate;
}

/** The schema errors of a card, as readable lines; empty when it is valid. */
export function cardSchemaErrors(card: unknown): string[] {
  const check = validator();
  if (check(card)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
