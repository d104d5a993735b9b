import type { CellValue } from 'exceljs';

/**
 * One spreadsheet cell → the text we stage, with a defined outcome for every kind of cell:
 *   hyperlink            the link target (URL column) or its display text (other columns)
 *   formula              its cached value (what Excel last showed); none cached → a problem
 *   rich text            its runs joined
 *   number               as text ("1200.5"): budgets stored as numbers or as text read alike
 *   date, boolean, error a problem in the URL column (a date is not a link); elsewhere as text
 *   merged cell          exceljs gives every cell of the merge the top-left value, so a campaign
 *                        merged down ten rows applies to all ten
 */
export type CellText = { text: string | null; problem?: { code: string; reason: string } };

const problem = (code: string, reason: string): CellText => ({ text: null, problem: { code, reason } });

function richTextOf(v: unknown): string | null {
  if (v && typeof v === 'object' && 'richText' in v && Array.isArray((v as { richText: unknown }).richText)) {
    return (v as { richText: { text?: unknown }[] }).richText.map((r) => (typeof r.text === 'string' ? r.text : '')).join('');
  }
  return null;
}

export function cellText(value: CellValue | undefined, kind: 'url' | 'text'): CellText {
  if (value === null || value === undefined) return { text: null };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return problem('invalid_number', 'the cell holds an invalid number');
    return kind === 'url' ? problem('not_a_link', `the cell holds the number ${value}, not a link`) : { text: String(value) };
  }
  if (typeof value === 'boolean') return kind === 'url' ? problem('not_a_link', `the cell holds ${value ? 'TRUE' : 'FALSE'}, not a link`) : { text: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) {
    return kind === 'url' ? problem('not_a_link', 'the cell holds a date, not a link') : { text: Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10) };
  }
  if (typeof value === 'object') {
    if ('error' in value && value.error !== undefined) return problem('cell_error', `the cell shows the error ${String(value.error)}`);
    if ('hyperlink' in value && typeof value.hyperlink === 'string') {
      if (kind === 'url' && value.hyperlink.trim()) return { text: value.hyperlink };
      const shown = typeof value.text === 'string' ? value.text : richTextOf(value.text);
      return { text: shown ?? (value.hyperlink || null) };
    }
    const rich = richTextOf(value);
    if (rich !== null) return { text: rich };
    if ('formula' in value || 'sharedFormula' in value) {
      const result = (value as { result?: CellValue }).result;
      if (result === undefined || result === null) {
        return problem('formula_without_value', 'the cell is a formula without a saved result: open the file in Excel, let it calculate and save it');
      }
      return cellText(result as CellValue, kind);
    }
  }
  return problem('unsupported_cell', 'the cell holds a value that is neither text nor a number');
}
