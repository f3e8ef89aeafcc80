/**
 * A name with a bracketed part, such as 市场监管登记注册系统（国垂） or 父（母）户籍地户籍证明（县外户籍）:
 * in a narrow column it may break before its last bracketed part, never inside a word (“国/垂”, “县外/户籍”).
 */
export function BracketedName({ name }: { name: string }) {
  const at = name.lastIndexOf('（');
  if (at <= 0) return <span style={{ whiteSpace: 'nowrap' }}>{name}</span>;
  return (
    <>
      <span style={{ whiteSpace: 'nowrap' }}>{name.slice(0, at)}</span>
      <wbr />
      <span style={{ whiteSpace: 'nowrap' }}>{name.slice(at)}</span>
    </>
  );
}
