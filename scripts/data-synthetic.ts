/**
 * Synthetic RMM presence for large data sets: for every hunt of every catalog tool, programs
 * made to satisfy that hunt's filter as the catalog states it, so a large set has devices for
 * every tool and every hunt kind (file signature, process, network).
 */
import type { HuntClause, RmmTool } from '../src/hunt/catalog';
import type { Program } from './data-rows';

/** What one synthetic program needs beyond its file: where it connects, and which signer must also be recorded for it. */
export interface SyntheticProgram {
  readonly program: Program;
  /** For network hunts: the host it connects to. */
  readonly url?: string;
  /** For a `signedBy` test: the program's file must also appear signed in `DeviceFileCertificateInfo`. */
  readonly needsCertificate: boolean;
}

const SYNTHETIC_ISSUER = 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1';

function folderFor(value: string): string {
  const trimmed = value.replace(/^\\+|\\+$/g, '');
  return `C:\\${trimmed}\\`;
}

/**
 * A program (and host) for which every clause of `filter` holds: in each clause its first
 * predicate is made true. Columns the filter does not test get the tool's name.
 */
export function satisfy(tool: RmmTool, filter: readonly HuntClause[], signer: string): SyntheticProgram {
  const values = new Map<string, string>();
  let url: string | undefined;
  let signedBy: string | undefined;
  const set = (column: string, value: string) => values.set(column, values.has(column) && value !== '' ? `${values.get(column)} ${value}` : value);
  for (const clause of filter) {
    const predicate = clause[0]!;
    const column = predicate.column.replace(/^InitiatingProcess/, '').replace(/^VersionInfo/, 'ProcessVersionInfo');
    switch (predicate.op) {
      case 'has':
        if (predicate.column === 'RemoteUrl') url = predicate.values[0]!;
        else set(column, predicate.values[0]!);
        break;
      case 'startswith':
        set(column, `${predicate.values[0]!}-agent.exe`);
        break;
      case '=~':
        set(column, predicate.values[0]!);
        break;
      case 'isempty':
        values.set(column, '');
        break;
      case 'signedBy':
        signedBy = predicate.values[0]!;
        break;
    }
  }
  const fileName = values.get('FileName') ?? values.get('ProcessVersionInfoOriginalFileName') ?? `${tool.id}-agent.exe`;
  const program: Program = {
    fileName,
    folder: values.has('FolderPath') ? folderFor(values.get('FolderPath')!) : `C:\\Program Files\\${tool.name}\\`,
    company: values.get('ProcessVersionInfoCompanyName') ?? `${tool.name} Software`,
    product: values.get('ProcessVersionInfoProductName') ?? tool.name,
    description: values.get('ProcessVersionInfoFileDescription') ?? `${tool.name} agent`,
    version: '1.0.0.0',
    signer: signedBy ?? signer,
    issuer: SYNTHETIC_ISSUER,
  };
  return { program, ...(url ? { url } : {}), needsCertificate: signedBy !== undefined };
}
