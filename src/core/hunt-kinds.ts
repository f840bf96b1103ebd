/**
 * A tool's hunt kinds as people read and type them: one table for help, cards, chat keywords and
 * the check card's evidence.
 */
import { HUNT_KINDS } from '../hunt/tool-lookup';
import type { HuntKind } from '../store/store';

/** "file signature", "process", "network". */
export const HUNT_KIND_LABEL: Readonly<Record<HuntKind, string>> = { 'file-signature': 'file signature', process: 'process', network: 'network' };

/** What a hunt of the kind is called after the tool's name: "AnyDesk network connections". */
export const HUNT_KIND_SUFFIX: Readonly<Record<HuntKind, string>> = { 'file-signature': '', process: ' processes', network: ' network connections' };

/** The chat keyword that asks for the kind (`hunt anydesk net`); file signatures need none. */
export const HUNT_KIND_KEYWORD: Readonly<Record<HuntKind, string | undefined>> = { 'file-signature': undefined, process: 'proc', network: 'net' };

/** Every word chat accepts for a kind. */
export const HUNT_KIND_WORDS: Readonly<Record<string, HuntKind>> = {
  proc: 'process',
  process: 'process',
  net: 'network',
  network: 'network',
  file: 'file-signature',
  sig: 'file-signature',
  signature: 'file-signature',
};

/** The label of a kind name as a query reports it ("file-signature"), or the name itself. */
export function huntKindLabel(name: string): string {
  const kind = HUNT_KINDS.find((k) => k === name);
  return kind ? HUNT_KIND_LABEL[kind] : name;
}
