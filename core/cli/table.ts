// Aligned text tables for the commands: columns padded to their widest cell, two spaces apart.

/** Characters that would break a row on a terminal are shown as escapes. */
const clean = (cell: string) =>
  Array.from(cell, (char) => {
    const code = char.charCodeAt(0)
    return code < 0x20 || code === 0x7f ? JSON.stringify(char).slice(1, -1) : char
  }).join('')

export function formatTable(header: string[], rows: string[][]): string {
  const cells = [header, ...rows.map((row) => row.map(clean))]
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)))
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('')
}
