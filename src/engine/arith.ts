// Integer arithmetic on + − × and parentheses, for the shader passes that fold
// constant expressions (loop bounds, array indices). A small parser instead of
// Function(): the built page's Content-Security-Policy forbids evaluating strings.

/** The value of an expression of non-negative integers, +, -, * and parentheses; null if it does not parse. */
export function evalArithmetic(text: string): number | null {
  const tokens = text.match(/\d+|[()*+-]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  // expr := term (('+' | '-') term)*;  term := factor ('*' factor)*;  factor := int | '(' expr ')' | '-' factor
  function expr(): number | null {
    let v = term();
    while (v !== null && (peek() === '+' || peek() === '-')) {
      const op = tokens[i++];
      const r = term();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  }
  function term(): number | null {
    let v = factor();
    while (v !== null && peek() === '*') {
      i++;
      const r = factor();
      if (r === null) return null;
      v *= r;
    }
    return v;
  }
  function factor(): number | null {
    const t = tokens[i++];
    if (t === undefined) return null;
    if (/^\d+$/.test(t)) return Number(t);
    if (t === '-') {
      const v = factor();
      return v === null ? null : -v;
    }
    if (t === '(') {
      const v = expr();
      return tokens[i++] === ')' ? v : null;
    }
    return null;
  }
  const v = expr();
  return v !== null && i === tokens.length ? v : null;
}
