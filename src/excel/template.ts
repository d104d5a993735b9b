import ExcelJS from 'exceljs';
import { TEMPLATE_HEADERS } from './columns';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The import template: the header row, one example row, and a drop-down on the Platform column. */
export async function buildTemplate(): Promise<ArrayBuffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Influtics';
  const sheet = workbook.addWorksheet('Videos', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = TEMPLATE_HEADERS.map((h) => ({ header: h.header, key: h.column, width: h.width }));
  sheet.addRow({
    url: 'https://www.tiktok.com/@creator/video/7301234567890123456',
    platform: 'TikTok',
    campaign: '',
    tags: 'ugc, spring',
    budget: 250,
    notes: 'Example row: replace it with your own links',
  });
  const header = sheet.getRow(1);
  header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF4F46E5' } };
  const platformCol = TEMPLATE_HEADERS.findIndex((h) => h.column === 'platform') + 1;
  const budgetCol = TEMPLATE_HEADERS.findIndex((h) => h.column === 'budget') + 1;
  for (let r = 2; r <= 1000; r++) {
    sheet.getCell(r, platformCol).dataValidation = {
      type: 'list',
      allowBlank: true,
      formulae: ['"TikTok,Instagram,YouTube"'],
      showErrorMessage: true,
      errorTitle: 'Platform',
      error: 'Choose TikTok, Instagram or YouTube (the link decides; this column is a reminder)',
    };
    sheet.getCell(r, budgetCol).numFmt = '#,##0.00';
  }
  return workbook.xlsx.writeBuffer() as Promise<ArrayBuffer>;
}
