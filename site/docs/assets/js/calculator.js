/* hpguide calculator: the resolver of `hpguide query`, in the browser.
 *
 * A port of the Python query path, held to it by a shared corpus
 * (tests/corpus/queries/, checked in Chromium by
 * tests/site/test_calculator_corpus.py): for the same argv,
 * hpguideQuery(argv) returns the same object as `hpguide query ARGV --json`
 * on every field, and throws the same error message for bad input.
 * docs/calculator-decision.md says why this is a port and not Pyodide.
 *
 * It reads the compiled KB (assets/data/kb.json, written at build time from
 * the same entries as the command line: formula trees, definitions already
 * solved for each input, recipe rows). Each function names the Python function
 * it mirrors; keep them in step. No Python, no server, no eval.
 */
(function () {
  "use strict";

  var hasOwn = function (obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); };
  function sortedKeys(obj) { return Object.keys(obj).sort(); }
  function cmpStr(a, b) { return a < b ? -1 : (a > b ? 1 : 0); }

  // ================================================================== numbers as Python prints and rounds them

  var TWO = BigInt(2), TEN = BigInt(10), ONE = BigInt(1), ZERO = BigInt(0);

  // x > 0 finite -> [m, e] with x = m * 2**e exactly (float.as_integer_ratio)
  function floatParts(x) {
    var view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    var hi = view.getUint32(0), lo = view.getUint32(4), bits = (hi >>> 20) & 0x7ff;
    var mant = (BigInt(hi & 0xfffff) << BigInt(32)) | BigInt(lo);
    if (bits === 0) { return [mant, -1074]; }
    return [mant | (ONE << BigInt(52)), bits - 1075];
  }

  // a * 10**shift as a fraction [num, den] of BigInts, exactly
  function scaledFraction(a, shift) {
    var p = floatParts(a), num = p[0], den = ONE;
    if (p[1] >= 0) { num = num << BigInt(p[1]); } else { den = den << BigInt(-p[1]); }
    if (shift >= 0) { num = num * TEN ** BigInt(shift); } else { den = den * TEN ** BigInt(-shift); }
    return [num, den];
  }

  // round(a * 10**shift) half to even on the exact binary value, as CPython's dtoa does
  function roundScaledHalfEven(a, shift) {
    var f = scaledFraction(a, shift), q = f[0] / f[1], r2 = (f[0] % f[1]) * TWO;
    if (r2 > f[1] || (r2 === f[1] && (q & ONE) === ONE)) { q += ONE; }
    return q;
  }

  // the decimal exponent E of a > 0: 10**E <= a < 10**(E+1), exactly
  function decimalExponent(a) {
    var e = Math.floor(Math.log10(a));
    function atLeast(k) { var f = scaledFraction(a, -k); return f[0] >= f[1]; }  // a >= 10**k
    while (!atLeast(e)) { e -= 1; }
    while (atLeast(e + 1)) { e += 1; }
    return e;
  }

  // Python's format(value, f".{prec}g")
  function pyFormatG(value, prec) {
    if (value !== value) { return "nan"; }
    if (value === Infinity) { return "inf"; }
    if (value === -Infinity) { return "-inf"; }
    if (value === 0) { return Object.is(value, -0) ? "-0" : "0"; }
    var sign = value < 0 ? "-" : "", a = Math.abs(value);
    var e = decimalExponent(a), q = roundScaledHalfEven(a, prec - 1 - e);
    if (q === TEN ** BigInt(prec)) { q = q / TEN; e += 1; }
    var digits = q.toString(), text;
    if (e >= -4 && e < prec) {
      if (e >= 0) {
        text = digits.slice(0, e + 1) + "." + digits.slice(e + 1);
      } else {
        text = "0." + "0".repeat(-e - 1) + digits;
      }
      text = text.replace(/0+$/, "").replace(/\.$/, "");
    } else {
      var mant = (digits[0] + "." + digits.slice(1)).replace(/0+$/, "").replace(/\.$/, "");
      var ae = Math.abs(e);
      text = mant + "e" + (e < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + ae;
    }
    return sign + text;
  }


  // Python's round(value, ndigits) for a finite float (correctly rounded, half to even)
  function pyRound(value, ndigits) {
    if (value === 0 || !isFinite(value)) { return value; }
    var q = roundScaledHalfEven(Math.abs(value), ndigits);
    var out = Number(q.toString() + "e-" + ndigits);
    return value < 0 ? -out : out;
  }

  // Python's repr() of a str, for the ASCII texts of error messages
  function pyRepr(text) {
    var quote = (text.indexOf("'") >= 0 && text.indexOf('"') < 0) ? '"' : "'";
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var ch = text[i], code = text.charCodeAt(i);
      if (ch === "\\" || ch === quote) { out += "\\" + ch; }
      else if (ch === "\n") { out += "\\n"; }
      else if (ch === "\r") { out += "\\r"; }
      else if (ch === "\t") { out += "\\t"; }
      else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) { out += "\\x" + (code < 16 ? "0" : "") + code.toString(16); }
      else { out += ch; }
    }
    return quote + out + quote;
  }

  // Python's str.split() then " ".join(): the whitespace Python splits on
  var PY_WHITESPACE = /[ \t\n\r\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  function collapseWhitespace(text) { return text.split(PY_WHITESPACE).filter(Boolean).join(" "); }

  // ================================================================== evaluate.py: compile_scalar over math

  // math.fsum: the exactly rounded sum (Shewchuk's partials, as CPython does)
  function fsum(xs) {
    var partials = [], special = 0, infSum = 0, i, j, x, y, t, hi, lo, yr;
    for (j = 0; j < xs.length; j++) {
      x = xs[j];
      var xsave = x, n = 0;
      for (i = 0; i < partials.length; i++) {
        y = partials[i];
        if (Math.abs(x) < Math.abs(y)) { t = x; x = y; y = t; }
        hi = x + y;
        yr = hi - x;
        lo = y - yr;
        if (lo !== 0) { partials[n++] = lo; }
        x = hi;
      }
      partials.length = n;
      if (x !== 0) {
        if (!isFinite(x)) {
          if (isFinite(xsave)) { throw new RangeError("intermediate overflow in fsum"); }
          if (xsave === Infinity || xsave === -Infinity) { infSum += xsave; }
          special += xsave;
          partials.length = 0;
        } else {
          partials.push(x);
        }
      }
    }
    if (special !== 0) {
      if (infSum !== infSum) { throw new RangeError("-inf + inf in fsum"); }
      return special;
    }
    hi = 0;
    n = partials.length;
    if (n > 0) {
      hi = partials[--n];
      while (n > 0) {
        x = hi;
        y = partials[--n];
        hi = x + y;
        yr = hi - x;
        lo = y - yr;
        if (lo !== 0) { break; }
      }
      if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
        y = lo * 2;
        x = hi + y;
        yr = x - hi;
        if (y === yr) { hi = x; }
      }
    }
    return hi;
  }

  // evaluate._sum
  function pySum(xs) {
    try {
      return fsum(xs);
    } catch (e) {
      if (/-inf \+ inf/.test(e.message)) { return NaN; }
      var acc = 0;  // finite terms whose exact sum overflows: Python's sum() (3.11: plain left to right)
      xs.forEach(function (v) { acc += v; });
      return acc;
    }
  }

  // evaluate._pow: math.pow (C99 pow), NaN for a domain error, inf for an overflow
  function pyPow(x, y) {
    if (isFinite(x) && isFinite(y)) {
      if (x === 0 && y < 0) { return NaN; }  // ValueError in Python, Infinity in JS
      var r = Math.pow(x, y);
      if (r !== r) { return NaN; }
      return isFinite(r) ? r : Infinity;  // OverflowError -> math.inf
    }
    if (x !== x) { return y === 0 ? 1 : x; }
    if (y !== y) { return x === 1 ? 1 : y; }
    if (!isFinite(x)) {
      var oddY = isFinite(y) && Math.abs(y) % 2 === 1;
      if (y > 0) { return oddY ? x : Math.abs(x); }
      if (y === 0) { return 1; }
      return oddY ? (x < 0 ? -0 : 0) : 0;
    }
    if (Math.abs(x) === 1) { return 1; }  // y is infinite
    if (y > 0 && Math.abs(x) > 1) { return y; }
    if (y < 0 && Math.abs(x) < 1) { return -y; }
    return 0;
  }

  // evaluate._log
  function pyLog(x) { return x > 0 ? Math.log(x) : (x === 0 ? -Infinity : NaN); }

  function anyNaN(xs) { return xs.some(function (v) { return v !== v; }); }

  // evaluate.compile_scalar (evaluated directly, no closures)
  function evalTree(t, env) {
    if (typeof t === "number") { return t; }
    if (typeof t === "string") { return env[t]; }
    var op = t[0], i, acc, vals = [];
    for (i = 1; i < t.length; i++) { vals.push(evalTree(t[i], env)); }
    if (op === "+") { return pySum(vals); }
    if (op === "*") { acc = 1; for (i = 0; i < vals.length; i++) { acc *= vals[i]; } return acc; }
    if (op === "**") { return pyPow(vals[0], vals[1]); }
    if (op === "min") { return anyNaN(vals) ? NaN : Math.min.apply(null, vals); }
    if (op === "max") { return anyNaN(vals) ? NaN : Math.max.apply(null, vals); }
    var x = vals[0];
    if (op === "log") { return pyLog(x); }
    if (op === "exp") { return Math.exp(x); }
    if (op === "floor") { return isFinite(x) ? Math.floor(x) : x; }
    if (op === "ceil") { return isFinite(x) ? Math.ceil(x) : x; }
    throw new Error("malformed compiled formula: " + op);
  }

  // evaluate.tree_names
  function treeNames(t, out) {
    out = out || {};
    if (typeof t === "string") { out[t] = true; }
    else if (Array.isArray(t)) { for (var i = 1; i < t.length; i++) { treeNames(t[i], out); } }
    return out;
  }

  // ================================================================== derive.py

  // Relation.inputs (sorted, so that Step.inputs is sorted as in Python)
  function relInputs(rel) {
    if (!rel._inputs) { rel._inputs = sortedKeys(treeNames(rel.tree)); }
    return rel._inputs;
  }

  // derive._close
  function close(a, b, tol) { return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b)); }

  // Relation.backward: the first inverse that is finite and positive
  function backward(rel, target, env) {
    var trees = (rel.inverses || {})[target] || [];
    for (var k = 0; k < trees.length; k++) {
      var v = evalTree(trees[k], env);
      if (isFinite(v) && v > 0) { return v; }
    }
    return null;
  }

  // derive.derive
  function derive(rels, known, allowBackward, conflictTol) {
    if (allowBackward === undefined) { allowBackward = true; }
    if (conflictTol === undefined) { conflictTol = 0.25; }
    var values = Object.assign({}, known), steps = {}, conflicts = [], checks = [], checked = {};
    var progress = true;
    while (progress) {
      progress = false;
      for (var idx = 0; idx < rels.length; idx++) {
        var rel = rels[idx], inputs = relInputs(rel);
        var missing = inputs.filter(function (n) { return !hasOwn(values, n); });
        if (missing.length === 0) {
          if (hasOwn(values, rel.output)) {
            if (!checked[idx]) {
              checked[idx] = true;
              var implied = evalTree(rel.tree, values);
              if (isFinite(implied)) {
                checks.push([rel.output, values[rel.output], implied, rel]);
                if (!close(values[rel.output], implied, conflictTol)) { conflicts.push(checks[checks.length - 1]); }
              }
            }
            continue;
          }
          var value = evalTree(rel.tree, values);
          if (!isFinite(value)) { continue; }
          values[rel.output] = value;
          steps[rel.output] = { symbol: rel.output, relation: rel, direction: "forward", inputs: inputs.slice() };
          progress = true;
        } else if (allowBackward && missing.length === 1 && hasOwn(values, rel.output)) {
          var target = missing[0], found = backward(rel, target, values);
          if (found === null) { continue; }
          values[target] = found;
          checked[idx] = true;
          var used = inputs.filter(function (n) { return n !== target; }).concat([rel.output]).sort();
          steps[target] = { symbol: target, relation: rel, direction: "backward", inputs: used };
          progress = true;
        }
      }
    }
    return { values: values, steps: steps, conflicts: conflicts, checks: checks };
  }

  // ================================================================== quantities.py: parse_quantity

  var MAX_QUANTITY_LENGTH = 64;
  var SUFFIX_EXPONENT = { k: 3, K: 3, M: 6, B: 9, T: 12 };
  var GENERIC_HINT = "use a number with an optional K, M, B or T suffix (e.g. 7B, 1.5T, 4k, 1e21)";
  var ASCII_WS = " \t\n\r\f\v";
  var RE_WS = "[ \\t\\n\\r\\f\\v\\x1c-\\x1f]";  // Python's \s on ASCII text
  var PATTERNS = {
    nonfinite: /^[+-]?(?:nan|inf|infinity)$/i,
    radix: /^[+-]?0(?:[xX][0-9a-fA-F_]|[oO][0-7_]|[bB][01_])[0-9a-fA-F_]*$/,
    bytesUnit: new RegExp("^" + RE_WS + "*[kKmMgGtTpPeE]?i?[bB](?:ytes?|its?)?$"),
    words: new RegExp("^[A-Za-z%]+(?:" + RE_WS + "+[A-Za-z%]+)*$")
  };

  function QuantityError(message) { var e = new Error(message); e.name = "QuantityError"; return e; }
  function UsageError(message) { var e = new Error(message); e.name = "UsageError"; return e; }

  function isSuffix(s) { return s.length === 1 && hasOwn(SUFFIX_EXPONENT, s); }
  function stripChars(s, chars) {
    var a = 0, b = s.length;
    while (a < b && chars.indexOf(s[a]) >= 0) { a++; }
    while (b > a && chars.indexOf(s[b - 1]) >= 0) { b--; }
    return s.slice(a, b);
  }
  function isDigit(c) { return c >= "0" && c <= "9" && c.length === 1; }

  // quantities._digits_end
  function digitsEnd(s, i) {
    var n = s.length;
    if (i >= n || !isDigit(s[i])) { return i; }
    i += 1;
    while (i < n) {
      if (isDigit(s[i])) { i += 1; }
      else if (s[i] === "_" && i + 1 < n && isDigit(s[i + 1])) { i += 2; }
      else { break; }
    }
    return i;
  }

  // quantities._scan_number
  function scanNumber(s) {
    var i = 0, sign = "";
    if (s[0] === "+" || s[0] === "-") { sign = s[0]; i = 1; }
    var start = i, j = digitsEnd(s, i);
    if (j > i) {
      i = j;
      if (s[i] === ".") { i = digitsEnd(s, i + 1); }
    } else if (s[i] === ".") {
      j = digitsEnd(s, i + 1);
      if (j === i + 1) { return null; }
      i = j;
    } else {
      return null;
    }
    var mantissa = s.slice(start, i), exponent = null;
    if (s[i] === "e" || s[i] === "E") {
      var k = i + 1;
      if (s[k] === "+" || s[k] === "-") { k += 1; }
      var end = digitsEnd(s, k);
      if (end > k) { exponent = s.slice(i + 1, end); i = end; }
    }
    return { sign: sign, mantissa: mantissa, exponent: exponent, end: i };
  }

  function fail(s, hint) { return QuantityError("cannot read " + pyRepr(s) + " as a quantity: " + hint); }

  // quantities._hint_without_number
  function hintWithoutNumber(s) {
    if (PATTERNS.nonfinite.test(s)) { return "the value must be a finite number; " + GENERIC_HINT; }
    var body = s.replace(/^[+-]+/, "");
    if (s.length - body.length > 1) { return "use at most one sign (e.g. -5 or +5)"; }
    if (body && isSuffix(body[0])) { return "a suffix needs a number in front of it (e.g. 7" + body[0] + ")"; }
    if (body[0] === "_") { return "underscores may only separate digits (e.g. 1_000_000)"; }
    return GENERIC_HINT;
  }

  // quantities._hint_after_number
  function hintAfterNumber(s, rest, hasExponent) {
    if (hasExponent && isSuffix(rest)) { return "use an exponent or a suffix, not both (e.g. 1e9 or 1B)"; }
    if (PATTERNS.radix.test(s)) { return "hexadecimal, octal and binary numbers are not accepted; write it in decimal"; }
    if (rest === "m") {
      return "lowercase m is ambiguous with milli; use M for millions (e.g. 2M) or an exponent for milli (e.g. 2e-3)";
    }
    if (rest === "b") { return "use B for billions (lowercase b could mean bits)"; }
    if (rest === "G" || rest === "g") { return "use B (1e9); G is ambiguous"; }
    if (rest === "P" || rest === "p") { return "suffixes beyond T are not accepted; use an exponent (e.g. 1e15)"; }
    var unitHint = "the suffix is a count multiplier, not a unit: drop the unit (e.g. 1T for 1TB, 2 for 2 tokens)";
    if (isSuffix(stripChars(rest, ASCII_WS))) { return "write the suffix right after the number, without a space (e.g. 7B)"; }
    if (PATTERNS.bytesUnit.test(rest)) { return unitHint; }
    if (!hasExponent && (rest[0] === "e" || rest[0] === "E")) {
      return "an exponent needs digits after the e (e.g. 1e21, 3e-4)";
    }
    var words = stripChars(rest, ASCII_WS), firstWs = ASCII_WS.indexOf(rest[0]) >= 0;
    var onlySuffixChars = rest.split("").every(function (c) { return isSuffix(c); });
    if (PATTERNS.words.test(words) && (words.length > 1 || firstWs) && (firstWs || !onlySuffixChars)) {
      return unitHint;
    }
    if (rest.indexOf("_") >= 0) { return "underscores may only separate digits, one at a time (e.g. 1_000_000)"; }
    if (rest.indexOf(",") >= 0) { return "do not group digits with commas; use underscores or a suffix (e.g. 1_000 or 1k)"; }
    return GENERIC_HINT;
  }

  // quantities.parse_quantity
  function parseQuantity(text, positive) {
    if (positive === undefined) { positive = true; }
    if (typeof text !== "string") {
      throw QuantityError("cannot read " + String(text) + " as a quantity: expected text such as '7B', got " + typeof text);
    }
    var points = Array.from(text);
    if (points.length > MAX_QUANTITY_LENGTH) {
      throw QuantityError("cannot read " + pyRepr(points.slice(0, 20).join("")) + "... (" + points.length +
        " characters) as a quantity: a quantity has at most " + MAX_QUANTITY_LENGTH + " characters; " + GENERIC_HINT);
    }
    var s = stripChars(text, ASCII_WS);
    if (!s) { throw QuantityError("cannot read " + pyRepr(text) + " as a quantity: it is empty; " + GENERIC_HINT); }
    if (!/^[\x00-\x7f]*$/.test(s)) { throw fail(s, "use ASCII digits 0-9 and an optional K, M, B or T suffix (e.g. 7B, 1e21)"); }
    var m = scanNumber(s);
    if (m === null) { throw fail(s, hintWithoutNumber(s)); }
    var rest = s.slice(m.end), suffix = "";
    if (rest) {
      if (isSuffix(rest) && m.exponent === null) { suffix = rest; }
      else { throw fail(s, hintAfterNumber(s, rest, m.exponent !== null)); }
    }
    var mantissa = m.mantissa.replace(/_/g, "");
    var exponent = (m.exponent ? parseInt(m.exponent.replace(/_/g, ""), 10) : 0) + (suffix ? SUFFIX_EXPONENT[suffix] : 0);
    // one correctly rounded conversion, as Python's float("1.1e9")
    var value = Number(m.sign + mantissa + "e" + exponent);
    if (!isFinite(value)) { throw fail(s, "the number is too large for a float; use a smaller value"); }
    if (value === 0) {
      value = 0;
      if (stripChars(mantissa, "0.") !== "") { throw fail(s, "the number is too small for a float (it rounds to 0)"); }
    }
    if (positive && value <= 0) {
      throw QuantityError("quantity " + pyRepr(s) + " must be > 0: give a positive number (e.g. 7B, 1e21, 3e-4)");
    }
    return value;
  }

  // ================================================================== quantities.py: format_quantity, format_exact, format_computed

  // quantities._scaled_half_up: a * 10**shift rounded half-up, exactly on the binary value of a
  function scaledHalfUp(a, shift) {
    var f = scaledFraction(a, shift), q = f[0] / f[1], r = f[0] % f[1];
    return TWO * r >= f[1] ? q + ONE : q;
  }

  // quantities._round_sig: [digits, decimal exponent] of a > 0 rounded half-up to sig digits
  function roundSig(a, sig) {
    var exp = decimalExponent(a), q = scaledHalfUp(a, sig - 1 - exp);
    if (q === TEN ** BigInt(sig)) { q = q / TEN; exp += 1; }
    if (!isFinite(Number(q.toString() + "e" + (exp - sig + 1)))) {  // rounding up overflowed: round down
      var f = scaledFraction(a, sig - 1 - exp);
      q = f[0] / f[1];
    }
    return [q.toString(), exp];
  }

  // quantities._point
  function point(digits, intLen) {
    if (digits.length > intLen) { return digits.slice(0, intLen) + "." + digits.slice(intLen); }
    return digits + "0".repeat(intLen - digits.length);
  }

  // quantities.format_quantity
  function formatQuantity(x, sig) {
    if (sig === undefined) { sig = 2; }
    if (x !== x) { return "nan"; }
    if (x === 0) { return "0"; }
    if (x < 0) { return "-" + formatQuantity(-x, sig); }
    if (x === Infinity) { return "inf"; }
    if (x < 1e4 && Number.isInteger(x)) { return String(x); }
    var rs = roundSig(x, sig), digits = rs[0], exp = rs[1];
    if (exp >= 15 || exp <= -3) { return point(digits, 1) + "e" + exp; }
    if (exp >= 4) {
      var group = Math.floor(exp / 3);
      return point(digits, exp - 3 * group + 1) + { 1: "k", 2: "M", 3: "B", 4: "T" }[group];
    }
    var decimals = Math.max(0, sig - exp - 1), scaled = scaledHalfUp(x, decimals).toString();
    if (!decimals) { return scaled; }
    while (scaled.length < decimals + 1) { scaled = "0" + scaled; }
    return (scaled.slice(0, -decimals) + "." + scaled.slice(-decimals)).replace(/0+$/, "").replace(/\.$/, "");
  }

  // quantities.format_exact: a published or given value, never rounded
  function formatExact(x) {
    if (!isFinite(x)) { return formatQuantity(x); }
    if (Number.isInteger(x) && Math.abs(x) < 1e6) { return String(x); }
    for (var sig = 1; sig < 18; sig++) {
      var text = formatQuantity(x, sig);
      if (parseQuantity(text, false) === x) { return text; }
    }
    return formatQuantity(x, 17);
  }

  // quantities.format_computed: a computed value to sig (3) significant digits, no trailing zeros
  function formatComputed(x, sig) {
    if (sig === undefined) { sig = 3; }
    if (!isFinite(x)) { return formatQuantity(x); }
    if (!Number.isInteger(x) && Math.abs(x) >= 1e3 && Math.abs(x) < 1e4) {
      x = Number(x.toPrecision(sig));  // as format_computed: round first (8361.6 reads 8360, not 8362)
    }
    var rounded = parseQuantity(formatQuantity(x, sig), false);
    for (var shorter = 1; shorter < sig; shorter++) {
      var text = formatQuantity(x, shorter);
      if (parseQuantity(text, false) === rounded) { return text; }
    }
    return formatQuantity(x, sig);
  }

  function fmt(value) { return formatComputed(value); }  // resolve._fmt
  function exact(value) { return formatExact(value); }  // resolve._exact

  // Python's repr() of a float that is not finite (usability's "not a finite number (...)")
  function pyFloatRepr(v) { return v !== v ? "nan" : (v === Infinity ? "inf" : (v === -Infinity ? "-inf" : String(v))); }

  // ================================================================== difflib.get_close_matches (n=1, cutoff=0.6)

  // SequenceMatcher(None, a, b).ratio(): no junk (autojunk only applies from 200 characters)
  function matchRatio(a, b) {
    var b2j = {};
    for (var j = 0; j < b.length; j++) { (b2j[b[j]] = b2j[b[j]] || []).push(j); }
    function longest(alo, ahi, blo, bhi) {
      var besti = alo, bestj = blo, bestsize = 0, j2len = {};
      for (var i = alo; i < ahi; i++) {
        var newj2len = {}, js = hasOwn(b2j, a[i]) ? b2j[a[i]] : [];
        for (var k = 0; k < js.length; k++) {
          var jj = js[k];
          if (jj < blo) { continue; }
          if (jj >= bhi) { break; }
          var size = newj2len[jj] = (j2len[jj - 1] || 0) + 1;
          if (size > bestsize) { besti = i - size + 1; bestj = jj - size + 1; bestsize = size; }
        }
        j2len = newj2len;
      }
      return [besti, bestj, bestsize];
    }
    var matches = 0, queue = [[0, a.length, 0, b.length]];
    while (queue.length) {
      var q = queue.pop(), found = longest(q[0], q[1], q[2], q[3]), i0 = found[0], j0 = found[1], n = found[2];
      if (n) {
        matches += n;
        if (q[0] < i0 && q[2] < j0) { queue.push([q[0], i0, q[2], j0]); }
        if (i0 + n < q[1] && j0 + n < q[3]) { queue.push([i0 + n, q[1], j0 + n, q[3]]); }
      }
    }
    var total = a.length + b.length;
    return total ? 2.0 * matches / total : 1.0;
  }

  function closeMatch(word, possibilities) {
    var best = null;
    possibilities.forEach(function (x) {
      var score = matchRatio(x, word);
      if (score >= 0.6 && (best === null || score > best[0] || (score === best[0] && x > best[1]))) { best = [score, x]; }
    });
    return best === null ? null : best[1];
  }

  // ================================================================== api.py: parse_inputs

  //: api.INPUT_SYMBOLS, in the order of cli.QUERY_FLAGS (the order inputs are read and checked)
  var INPUT_SYMBOLS = [["params", "N"], ["non_embedding_params", "N_ne"], ["d_model", "d_model"],
    ["n_layers", "n_layers"], ["n_heads", "n_heads"], ["n_kv_heads", "n_kv_heads"], ["d_ff", "d_ff"],
    ["vocab_size", "vocab_size"], ["seq_len", "seq_len"], ["tokens", "D"], ["compute", "C"],
    ["batch_size", "B"], ["batch_seqs", "B_seq"]];

  // api._number
  function number(name, value) {
    if (typeof value === "boolean") { throw QuantityError(name + ": expected a number, got " + (value ? "True" : "False")); }
    if (typeof value === "number") {
      if (!(value > 0) || value === Infinity) { throw QuantityError(name + ": " + value + " must be a finite number > 0"); }
      return value;
    }
    if (typeof value === "string") {
      try { return parseQuantity(value); } catch (e) { throw QuantityError(name + ": " + e.message); }
    }
    throw QuantityError(name + ": expected a number or a quantity such as '7B', got " + typeof value);
  }

  // api.parse_inputs: flags {dest: value} and extra [[symbol, value], ...] -> {symbol: number}
  function parseInputs(values, extra, symbols) {
    var out = {}, sources = {};
    function put(symbol, num, label) {
      if (hasOwn(out, symbol) && out[symbol] !== num) {
        throw UsageError(symbol + " given twice with different values (" + sources[symbol] + " and " + label + ")");
      }
      out[symbol] = num;
      sources[symbol] = label;
    }
    Object.keys(values).forEach(function (key) {
      if (!INPUT_SYMBOLS.some(function (p) { return p[0] === key; })) {
        throw UsageError("unknown input " + pyRepr(key) + "; use one of " +
          INPUT_SYMBOLS.map(function (p) { return p[0]; }).join(", ") + " or set={SYMBOL: value}");
      }
    });
    INPUT_SYMBOLS.forEach(function (pair) {
      var value = values[pair[0]];
      if (value === undefined || value === null) { return; }
      put(pair[1], number(pair[0], value), pair[0]);
    });
    extra.forEach(function (item) {
      var symbol = item[0];
      if (symbols && !hasOwn(symbols, symbol)) {
        var close = closeMatch(symbol, sortedKeys(symbols));
        var hint = close !== null ? " (did you mean " + pyRepr(close) + "?)" : " (see heuristics/symbols.yaml)";
        throw UsageError("unknown symbol " + pyRepr(symbol) + hint);
      }
      put(symbol, number(symbol, item[1]), "set " + symbol);
    });
    return out;
  }

  // ================================================================== cli.py: the query command line

  //: cli.QUERY_FLAGS: flag, short form, dest
  var QUERY_FLAGS = [["--params", "-N", "params"], ["--non-embedding-params", null, "non_embedding_params"],
    ["--d-model", null, "d_model"], ["--n-layers", null, "n_layers"], ["--n-heads", null, "n_heads"],
    ["--n-kv-heads", null, "n_kv_heads"], ["--d-ff", null, "d_ff"], ["--vocab-size", null, "vocab_size"],
    ["--seq-len", null, "seq_len"], ["--tokens", "-D", "tokens"], ["--compute", "-C", "compute"],
    ["--batch-size", null, "batch_size"], ["--batch-seqs", null, "batch_seqs"]];
  var REPEATED = { "--set": "set", "--topic": "topic", "--entry": "entry" };
  var NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;  // argparse takes these as values, not options

  // cli.fast_query_args, with argparse's forms for the query options (-N7B, -N=7B, negative numbers)
  function parseQueryArgs(argv) {
    var ns = { set: [], topic: [], entry: [], include_drafts: false, format: "text", json: false, kb: null };
    QUERY_FLAGS.forEach(function (f) { ns[f[2]] = null; });
    var dest = {};
    QUERY_FLAGS.forEach(function (f) { dest[f[0]] = f[2]; if (f[1]) { dest[f[1]] = f[2]; } });
    var i = 0;
    while (i < argv.length) {
      var token = String(argv[i]), name = token, inline = null;
      if (token.indexOf("=") > 0 && token[0] === "-") {
        name = token.slice(0, token.indexOf("="));
        inline = token.slice(token.indexOf("=") + 1);
      } else if (/^-[NDC]./.test(token)) {
        name = token.slice(0, 2);
        inline = token.slice(2);
      }
      if ((name === "--include-drafts" || name === "--json") && inline === null) {
        ns[name.slice(2).replace("-", "_")] = true;
        i += 1;
        continue;
      }
      if (hasOwn(dest, name) || hasOwn(REPEATED, name) || name === "--kb" || name === "--format") {
        var value = inline;
        if (value === null) {
          value = i + 1 < argv.length ? String(argv[i + 1]) : null;
          if (value === null || (value[0] === "-" && !NEGATIVE_NUMBER.test(value))) {
            throw UsageError("argument " + name + ": expected one argument");
          }
          i += 1;
        }
        if (hasOwn(REPEATED, name)) { ns[REPEATED[name]].push(value); }
        else if (name === "--kb" || name === "--format") { ns[name.slice(2)] = value; }
        else { ns[dest[name]] = value; }
        i += 1;
        continue;
      }
      throw UsageError("unrecognized arguments: " + token);
    }
    return ns;
  }

  // cli._run_query: the --set items, then parse_inputs and resolve
  function runQuery(kb, args) {
    var extra = [], seen = {};
    args.set.forEach(function (item) {
      var at = item.indexOf("="), name = at < 0 ? item : item.slice(0, at), value = at < 0 ? "" : item.slice(at + 1);
      if (at < 0 || !name.trim() || !value.trim()) {
        throw UsageError("--set " + pyRepr(item) + ": write SYMBOL=VALUE, e.g. --set eta_base=3e-3");
      }
      if (hasOwn(seen, name.trim())) { throw UsageError("--set " + name.trim() + " given twice"); }
      seen[name.trim()] = true;
      extra.push([name.trim(), value.trim()]);
    });
    var flags = {};
    QUERY_FLAGS.forEach(function (f) { flags[f[2]] = args[f[2]]; });
    var inputs = parseInputs(flags, extra, kb.symbols);
    return resolve(kb, inputs, { topics: args.topic, entries: args.entry, includeDrafts: args.include_drafts });
  }

  // ================================================================== resolve.py

  var FILL_FIRST = ["vocab_size", "seq_len"];
  var FILL_LATER = ["n_layers", "d_model"];
  var NEAR_FACTOR = 1.05;
  var CONFLICT_TOLERANCE = 0.25;
  var HEURISTIC_KINDS = ["law", "rule", "schedule", "parameterization"];
  var GROUP_ORDER = ["learning-rate", "batch-size", "allocation", "loss", "schedule", "optimizer",
    "parameterization", "shape", "size", "compute"];

  // CompiledEntry.active
  function active(e, drafts) {
    return e.status !== "withdrawn" && e.status !== "superseded" && (drafts || e.status !== "draft");
  }

  // resolve._nearest_rows: [{distance, entry, model, row}] sorted by (distance, entry id, model)
  function nearestRows(kb, values, need) {
    var key = null;
    if (hasOwn(values, "N") && values.N > 0) { key = "N"; }
    else if (hasOwn(values, "d_model") && values.d_model > 0) { key = "d_model"; }
    if (key === null) { return []; }
    var target = Math.log(values[key]), rows = [];
    kb.entries.forEach(function (e) {
      if (e.kind !== "recipe") { return; }
      e.table.forEach(function (row) {
        var nums = row.numbers || {};
        if (!hasOwn(nums, key) || nums[key] <= 0 || (need && !hasOwn(nums, need))) { return; }
        rows.push({ distance: pyRound(Math.abs(Math.log(nums[key]) - target), 12), entry: e.id,
          model: String(row.model), row: row });
      });
    });
    rows.sort(function (a, b) {  // Array.prototype.sort is stable, as Python's sort
      if (a.distance !== b.distance) { return a.distance - b.distance; }
      return cmpStr(a.entry, b.entry) || cmpStr(a.model, b.model);
    });
    return rows;
  }

  var MISSING_D_DISTANCE = Math.log(10.0);

  // resolve._year
  function citationYear(citation) {
    var words = citation.split(", ")[0].split(" "), word = words[words.length - 1];
    return /^[0-9]{4}$/.test(word) ? parseInt(word, 10) : 0;
  }

  // resolve._ranked_rows: the configs in the order the query shows them
  function rankedRows(kb, inputs, values) {
    var keys = ["d_model", "n_layers"].filter(function (k) { return (inputs[k] || 0) > 0; });
    var byTokens = !keys.length && (values.D || 0) > 0;
    if (!keys.length) {
      if ((values.N || 0) > 0) { keys = ["N"]; } else if ((values.d_model || 0) > 0) { keys = ["d_model"]; }
    }
    if (!keys.length) { return []; }
    var tokens = values.D || 0, rows = [];
    kb.entries.forEach(function (e) {
      if (e.kind !== "recipe") { return; }
      var year = citationYear(e.citation);
      e.table.forEach(function (row) {
        var nums = row.numbers || {};
        if (keys.some(function (k) { return !((nums[k] || 0) > 0); })) { return; }
        var distance = 0;
        keys.forEach(function (k) { distance += Math.abs(Math.log(nums[k] / values[k])); });
        var offD = tokens > 0 && (nums.D || 0) > 0 ? Math.abs(Math.log(nums.D / tokens)) : Infinity;
        if (byTokens) { distance += offD < Infinity ? offD : MISSING_D_DISTANCE; }
        rows.push({ distance: pyRound(distance, 12), offD: offD < Infinity ? pyRound(offD, 12) : Infinity,
          year: year, entry: e.id, model: String(row.model), row: row });
      });
    });
    rows.sort(function (a, b) {
      if (a.distance !== b.distance) { return a.distance - b.distance; }
      if (a.offD !== b.offD) { return a.offD < b.offD ? -1 : 1; }
      if (a.year !== b.year) { return b.year - a.year; }
      return cmpStr(a.model, b.model) || cmpStr(a.entry, b.entry);
    });
    return rows;
  }

  // resolve._config: a Config record
  function config(item) {
    return { model: item.model, entry: item.entry, where: String(item.row.where), distance: item.distance,
      values: Object.assign({}, item.row.numbers), texts: Object.assign({}, item.row.texts || {}) };
  }

  // resolve._definition_entries: the active definitions, those that refine others first (a stable partition,
  // as Python's sort)
  function definitionEntries(kb, drafts) {
    var first = [], rest = [];
    kb.entries.forEach(function (e) {
      if (e.kind !== "definition" || !active(e, drafts)) { return; }
      ((e.refines || []).length ? first : rest).push(e);
    });
    return first.concat(rest);
  }

  // resolve._refined_conflicts: "symbol|entry" keys whose disagreement is superseded by a detailed definition
  function refinedConflicts(defEntries, derivation) {
    var out = {};
    defEntries.forEach(function (e) {
      if (!(e.refines || []).length) { return; }
      e.relations.forEach(function (rel) {
        if (relInputs(rel).every(function (n) { return hasOwn(derivation.values, n); })) {
          e.refines.forEach(function (id) { out[rel.output + "|" + id] = true; });
        }
      });
    });
    return out;
  }

  // resolve._still_needed: what a definition reading symbol lacks to use it
  function stillNeeded(e, symbol, values) {
    var needs = {};
    e.relations.forEach(function (rel) {
      var names = relInputs(rel);
      if (names.indexOf(symbol) < 0) { return; }
      names.forEach(function (n) { if (n !== symbol && !hasOwn(values, n)) { needs[n] = true; } });
    });
    return sortedKeys(needs);
  }

  // resolve._derived_list
  function derivedList(derivation, inputs) {
    return sortedKeys(derivation.steps).filter(function (s) { return !hasOwn(inputs, s); }).map(function (s) {
      var step = derivation.steps[s], rel = step.relation;
      var formula = step.direction === "forward" ? rel.formula : rel.output + " = " + rel.formula + ", solved for " + s;
      return { symbol: s, value: derivation.values[s], entry: rel.entry_id, formula: formula, inputs: step.inputs.slice() };
    });
  }

  // resolve._fill_assumptions
  function fillAssumptions(kb, defs, inputs, drafts) {
    var known = Object.assign({}, inputs), assumptions = [];
    var d = derive(defs, known, false, CONFLICT_TOLERANCE);
    [FILL_FIRST, FILL_LATER].forEach(function (phase) {
      phase.forEach(function (symbol) {
        var values = d.values;
        if (hasOwn(values, symbol)) { return; }
        var anchors = symbol === "d_model" ? ["N", "N_ne"] : ["d_model", "N"];
        if (!anchors.some(function (a) { return hasOwn(values, a); })) { return; }
        var filled = fillFromRules(kb, symbol, values, drafts) || fillFromConfigs(kb, symbol, values);
        if (!filled) { return; }
        assumptions.push(filled);
        known[symbol] = filled.value;
        d = derive(defs, known, false, CONFLICT_TOLERANCE);
      });
      d = derive(defs, known, true, CONFLICT_TOLERANCE);
    });
    return { derivation: d, assumptions: assumptions };
  }

  // resolve._fill_from_rules
  function fillFromRules(kb, symbol, values, drafts) {
    for (var i = 0; i < kb.entries.length; i++) {
      var e = kb.entries[i];
      if ((e.defaults_for || []).indexOf(symbol) < 0 || !active(e, drafts)) { continue; }
      var r = derive(e.relations, values, false);
      if (hasOwn(r.values, symbol)) {
        var formula = hasOwn(e.equations, symbol) ? e.equations[symbol] : "";
        var used = r.steps[symbol].inputs.slice().sort().filter(function (k) { return hasOwn(values, k); })
          .map(function (k) { return k + " = " + fmt(values[k]); }).join(", ");
        return { symbol: symbol, value: r.values[symbol], entry: e.id,
          why: "not given; " + e.title + ": " + symbol + " = " + formula + " with " + used, alternatives: [] };
      }
    }
    return null;
  }

  // resolve._fill_from_configs
  function fillFromConfigs(kb, symbol, values) {
    var rows = nearestRows(kb, values, symbol);
    if (!rows.length) { return null; }
    var limit = rows[0].distance + Math.log(NEAR_FACTOR);
    var near = rows.filter(function (r) { return r.distance <= limit; }).map(config);
    var counts = new Map();
    near.forEach(function (r) { var v = r.values[symbol]; counts.set(v, (counts.get(v) || 0) + 1); });
    var best = 0;
    counts.forEach(function (c) { if (c > best) { best = c; } });
    var value = null;
    for (var i = 0; i < near.length; i++) {
      if (counts.get(near[i].values[symbol]) === best) { value = near[i].values[symbol]; break; }
    }
    var first = near.filter(function (r) { return r.values[symbol] === value; })[0];
    var anchor = hasOwn(values, "N") ? "N" : "d_model";
    var models = near.slice(0, 6).map(function (r) { return r.model; }).join(", ") + (near.length > 6 ? ", ..." : "");
    var ranked = [];  // Map keeps first appearance (nearest first); the stable sort puts the most common first
    counts.forEach(function (c, v) { ranked.push([v, c]); });
    ranked.sort(function (a, b) { return b[1] - a[1]; });
    var others = ranked.filter(function (item) { return item[0] !== value; })
      .map(function (item) { return { value: item[0], count: item[1] }; });
    var how;
    if (best * 2 > near.length) {
      how = "the majority value (" + best + " of " + near.length + ")";
    } else {
      var spread = ranked.map(function (item) { return exact(item[0]) + " x" + item[1]; }).join(", ");
      var tied = ranked.filter(function (item) { return item[1] === best; }).length > 1;
      how = "no majority: " + ranked.length + " different values among " + near.length + " configs (" + spread +
        "); took " + exact(value) + ", " + (tied ? "the value of the nearest of the tied configs (" + first.model + ")" :
          "the most common (" + best + " of " + near.length + ")");
    }
    return { symbol: symbol, value: value, entry: first.entry,
      why: "not given; " + how + " among the published configs nearest by " + anchor + ": " + models,
      alternatives: others };
  }

  // resolve.range_check: symbols = the quantities one answer reads (default: every validity key)
  function rangeCheck(e, env, symbols) {
    var ok = true, notes = [], unranged = e.unranged || {};
    var names = symbols === undefined ? sortedKeys(e.validity) : sortedKeys(symbols);
    names.forEach(function (sym) {
      if (!hasOwn(e.validity, sym)) {
        if (hasOwn(unranged, sym)) {
          notes.push("no source range for " + sym + ": " + unranged[sym]);
        } else {
          ok = false;
          notes.push("range of " + sym + " unknown (the entry gives none), so not checked");
        }
        return;
      }
      var lo = e.validity[sym][0], hi = e.validity[sym][1];
      if (!hasOwn(env, sym)) {
        notes.push("range of " + sym + " not checked (" + sym + " unknown; source range " + exact(lo) + ".." + exact(hi) + ")");
        return;
      }
      var v = env[sym];
      if (!(lo <= v && v <= hi)) {
        ok = false;
        notes.push("extrapolation: " + sym + " = " + fmt(v) + " is " + (v > hi ? "above" : "below") +
          " the source's range " + exact(lo) + ".." + exact(hi));
      }
    });
    return { ok: ok, notes: notes };
  }

  // resolve._reads: every quantity the value of symbol was computed from (itself included), as a set object
  function reads(derivation, symbol, seen) {
    seen = seen || {};
    if (hasOwn(seen, symbol)) { return seen; }
    seen[symbol] = true;
    var step = derivation.steps[symbol];
    if (step) { step.inputs.forEach(function (n) { reads(derivation, n, seen); }); }
    return seen;
  }

  // resolve._bound_text: [lo, hi, phrase]; a bound naming a symbol is resolved through env (null if unknown)
  function boundText(bounds, env) {
    function end(key) {
      var value = bounds[key];
      if (typeof value === "string") {
        var known = hasOwn(env, value) ? env[value] : null;
        return [known, known === null ? value : value + " = " + fmt(known)];
      }
      return [value, value === null || value === undefined ? "" : exact(value)];
    }
    var lo = end("lo"), hi = end("hi"), parts = [];
    if (bounds.lo !== null && bounds.lo !== undefined) { parts.push((bounds.lo_open ? "above" : "at least") + " " + lo[1]); }
    if (bounds.hi !== null && bounds.hi !== undefined) { parts.push((bounds.hi_open ? "below" : "at most") + " " + hi[1]); }
    return [lo[0] === undefined ? null : lo[0], hi[0] === undefined ? null : hi[0], parts.join(" and ")];
  }

  // resolve._inside
  function inside(value, bounds, lo, hi) {
    var below = lo !== null && (bounds.lo_open ? value <= lo : value < lo);
    var above = hi !== null && (bounds.hi_open ? value >= hi : value > hi);
    return !(below || above);
  }

  // resolve.usability: why value of symbol is no answer (null when it is one)
  function usability(kb, e, symbol, value, env, readSet) {
    if (!isFinite(value)) { return "not a finite number (" + pyFloatRepr(value) + ")"; }
    var physical = (kb.symbols[symbol] || {}).physical, bt;
    if (physical !== null && physical !== undefined) {
      bt = boundText(physical, env);
      if (!inside(value, physical, bt[0], bt[1])) {
        var what = value < 0 && bt[0] === 0 ? "negative" : (value === 0 && bt[0] === 0 ? "zero" : "non-physical");
        return what + ": the formula gives " + symbol + " = " + fmt(value) + ", and " + symbol + " must be " + bt[2];
      }
    }
    var ob = e.output_bounds || {};
    if (hasOwn(ob, symbol)) {
      var bounds = ob[symbol];
      bt = boundText(bounds, env);
      if (!inside(value, bounds, bt[0], bt[1])) { return symbol + " = " + fmt(value) + " is not " + bt[2] + ": " + bounds.why; }
    }
    var limits = e.breaks_down || [];
    for (var i = 0; i < limits.length; i++) {
      var limit = limits[i], name = limit.symbol;
      if (!hasOwn(readSet, name) || !hasOwn(env, name)) { continue; }
      bt = boundText(limit, env);
      if (inside(env[name], limit, bt[0], bt[1])) {
        return name + " = " + fmt(env[name]) + ": the source says the law breaks down " + bt[2] + " (" + limit.where + ")";
      }
    }
    return null;
  }

  // resolve.comparability_key: [[key, context value], ...] over the registry's comparable_by keys of the symbol
  function comparabilityKey(kb, row) {
    var keys = (kb.symbols[row.symbol] || {}).comparable_by || [];
    return keys.map(function (k) { return [k, hasOwn(row.context, k) ? row.context[k] : "unstated by " + row.entry]; });
  }

  // resolve._spread_of
  function spreadOf(rows, conventions) {
    var pooled = rows.filter(function (r) { return r.usable && r.in_range; });
    var values = pooled.map(function (r) { return r.value; }).sort(function (a, b) { return a - b; });
    if (!values.length) { return null; }
    var lo = values[0], hi = values[values.length - 1];
    var bands = pooled.filter(function (r) { return r.band; }).map(function (r) { return r.band; });
    var overlap = null;
    if (bands.length > 1) {
      overlap = Math.max.apply(null, bands.map(function (b) { return b.lo; })) <=
        Math.min.apply(null, bands.map(function (b) { return b.hi; }));
    }
    var entries = {};
    rows.forEach(function (r) { entries[r.entry] = true; });
    return { n: values.length, min: lo, median: median(values), max: hi, max_min_ratio: lo > 0 ? hi / lo : null,
      n_out_of_range: rows.filter(function (r) { return r.usable && !r.in_range; }).length,
      n_unusable: rows.filter(function (r) { return !r.usable; }).length,
      conventions: conventions, entries: sortedKeys(entries), bands_overlap: overlap };
  }

  // sorted(d.items()) compared as Python compares lists of (str, str) tuples
  function cmpItems(a, b) {
    var ka = sortedKeys(a), kb = sortedKeys(b);
    for (var i = 0; i < Math.min(ka.length, kb.length); i++) {
      var c = cmpStr(ka[i], kb[i]) || cmpStr(a[ka[i]], b[kb[i]]);
      if (c) { return c; }
    }
    return ka.length - kb.length;
  }

  // resolve.spread_groups: per symbol, one spread per group of comparable answers, the largest first
  function spreadGroups(kb, results) {
    var bySymbol = {}, out = {};
    results.forEach(function (r) {
      var key = comparabilityKey(kb, r), text = JSON.stringify(key);
      var groups = bySymbol[r.symbol] = bySymbol[r.symbol] || { order: [], rows: {}, keys: {} };
      if (!hasOwn(groups.rows, text)) { groups.order.push(text); groups.rows[text] = []; groups.keys[text] = key; }
      groups.rows[text].push(r);
    });
    sortedKeys(bySymbol).forEach(function (sym) {
      var g = bySymbol[sym], spreads = [];
      g.order.forEach(function (text) {
        var conventions = {};
        g.keys[text].forEach(function (pair) { conventions[pair[0]] = pair[1]; });
        var s = spreadOf(g.rows[text], conventions);
        if (s !== null) { spreads.push(s); }
      });
      spreads.sort(function (a, b) {
        return (b.n - a.n) || ((b.n + b.n_out_of_range + b.n_unusable) - (a.n + a.n_out_of_range + a.n_unusable)) ||
          cmpItems(a.conventions, b.conventions);
      });
      if (spreads.length) { out[sym] = spreads; }
    });
    return out;
  }

  // resolve.resolve's spread: per symbol, the first (largest) group of spread_groups
  function firstSpreads(groups) {
    var out = {};
    Object.keys(groups).forEach(function (sym) { out[sym] = groups[sym][0]; });
    return out;
  }

  // resolve._quantile: linear interpolation between order statistics
  function quantile(sorted, q) {
    var position = q * (sorted.length - 1), low = Math.floor(position), high = Math.min(low + 1, sorted.length - 1);
    return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
  }

  // resolve.band_draws: every output of the entry under each draw of its constants' uncertainty, once per entry
  function bandDraws(e, env) {
    var unc = e.uncertainty;
    if (!unc) { return null; }
    var outputs = Object.keys(unc.trees), names = {}, values = {};
    outputs.forEach(function (out) { names[out] = Object.keys(treeNames(unc.trees[out])); values[out] = []; });
    var base = {};
    Object.keys(env).forEach(function (k) { if (outputs.indexOf(k) < 0) { base[k] = env[k]; } });
    var count = unc.columns[0].length;
    for (var j = 0; j < count; j++) {
      var local = Object.assign({}, base);
      unc.constants.forEach(function (c, i) { local[c] = unc.columns[i][j]; });
      outputs.forEach(function () {  // intermediates first, whatever the order the entry writes them in
        outputs.forEach(function (out) {
          if (!hasOwn(local, out) && names[out].every(function (n) { return hasOwn(local, n); })) {
            local[out] = evalTree(unc.trees[out], local);
          }
        });
      });
      outputs.forEach(function (out) {
        var value = hasOwn(local, out) ? local[out] : NaN;
        if (typeof value === "number" && isFinite(value)) { values[out].push(value); }
      });
    }
    return values;
  }

  // resolve.uncertainty_band: the central band of symbol over the draws of the entry's constants
  function uncertaintyBand(e, symbol, env, draws) {
    var unc = e.uncertainty;
    if (!unc || !hasOwn(unc.trees, symbol)) { return null; }
    var values = ((draws || bandDraws(e, env))[symbol] || []).slice();
    if (values.length < Math.floor(unc.columns[0].length / 2) || !values.length) { return null; }
    values.sort(function (a, b) { return a - b; });
    var tail = (1 - unc.level) / 2;
    return { lo: quantile(values, tail), hi: quantile(values, 1 - tail), level: unc.level, method: unc.method,
      draws: values.length, where: unc.where, origin: unc.origin };
  }

  // resolve._status_notes
  function statusNotesOf(e) {
    return (e.status === "disputed" || e.status === "draft") ? ["entry status: " + e.status] : [];
  }

  // resolve.inverse_rows: C for which the query's N is the law's N_opt, and the law's D_opt there
  function inverseRows(kb, e, context) {
    var rel = e.relations.filter(function (r) {
      return r.output === "N_opt" && ((r.inverses || {}).C || []).length;
    })[0];
    if (!rel) { return []; }
    var outputs = {};
    e.relations.forEach(function (r) { outputs[r.output] = true; });
    var own = {};
    Object.keys(context).forEach(function (k) { if (!hasOwn(outputs, k) && k !== "C") { own[k] = context[k]; } });
    own.N_opt = context.N;
    var local = derive(e.relations, own);
    if (!hasOwn(local.values, "C")) { return []; }
    var statusNotes = statusNotesOf(e);
    var question = "if N = " + fmt(context.N) + " is to be compute-optimal: " + rel.output + " = " + rel.formula +
      " solved for C";
    var out = [];
    [["C_at_N", "C"], ["D_at_N", "D_opt"]].forEach(function (pair) {
      var symbol = pair[0], source = pair[1];
      if (!hasOwn(local.values, source)) { return; }
      var value = local.values[source], readSet = reads(local, source), checked = {};
      readSet.N_opt = true;
      Object.keys(readSet).forEach(function (n) { if (hasOwn(e.validity, n)) { checked[n] = true; } });
      var rc = rangeCheck(e, local.values, checked);
      var why = usability(kb, e, symbol, value, local.values, readSet);
      var meta = kb.symbols[symbol] || {};
      var rowNotes = (why ? ["no usable value: " + why] : []).concat(rc.notes, statusNotes);
      var formula = source === "C" ? question : question + ", then D_opt = " + ((e.equations || {}).D_opt || "");
      out.push({ symbol: symbol, value: value, entry: e.id, entry_version: e.version, title: e.title,
        citation: e.citation, reference: e.reference, formula: formula, in_range: rc.ok,
        warnings: rowNotes.concat(e.warnings), notes: rowNotes, status: e.status, kind: e.kind,
        group: String(meta.group || ""), unit: String(meta.unit || ""), inputs: { N_opt: context.N },
        usable: why === null, why: why, context: Object.assign({}, e.context || {}), band: null });
    });
    return out;
  }

  // resolve._provenance
  function provenance(symbol, inputs, assumptions, derivation) {
    if (hasOwn(inputs, symbol)) { return "given"; }
    for (var i = 0; i < assumptions.length; i++) {
      if (assumptions[i].symbol === symbol) { return "assumed from " + assumptions[i].entry; }
    }
    var step = derivation.steps[symbol];
    return step ? "derived by " + step.relation.entry_id + " from " + step.inputs.join(", ") : "known";
  }

  // resolve.consistency_conflicts: known values outside the registry's physical bounds; heads not dividing the width
  function consistencyConflicts(kb, derivation, inputs, assumptions) {
    var values = derivation.values, out = [];
    sortedKeys(values).forEach(function (symbol) {
      var physical = (kb.symbols[symbol] || {}).physical, value = values[symbol];
      if (physical === null || physical === undefined || typeof value !== "number") { return; }
      var bt = boundText(physical, values), lo = bt[0], hi = bt[1];
      if (inside(value, physical, lo, hi)) { return; }
      var names = [physical.lo, physical.hi].filter(function (n) { return typeof n === "string" && hasOwn(values, n); });
      var origin = [symbol].concat(names).map(function (n) {
        return n + ": " + provenance(n, inputs, assumptions, derivation);
      }).join("; ");
      var implied = lo !== null && value <= lo ? lo : hi;
      out.push({ symbol: symbol, given: value, implied: implied === null ? null : implied, entry: "",
        message: symbol + " = " + fmt(value) + " contradicts the other inputs: " + symbol + " must be " + bt[2] +
          " (" + origin + "); check the inputs: answers that read these values are not trustworthy" });
    });
    if (hasOwn(values, "d_model") && hasOwn(values, "n_heads") && values.n_heads > 0) {
      var dm = values.d_model, heads = values.n_heads;
      if (dm / heads !== Math.trunc(dm / heads)) {
        out.push({ symbol: "n_heads", given: heads, implied: null, entry: "",
          message: "n_heads = " + fmt(heads) + " does not divide d_model = " + fmt(dm) +
            " (n_heads: " + provenance("n_heads", inputs, assumptions, derivation) + "; d_model: " +
            provenance("d_model", inputs, assumptions, derivation) + ")" });
      }
    }
    return out;
  }

  // resolve.assumed_shape_conflicts: a given value the assumed shape contradicts by more than 5 %
  var ASSUMED_SHAPE_TOLERANCE = 0.05;
  function assumedShapeConflicts(derivation, inputs, assumptions, skip) {
    var assumed = {}, out = [], values = derivation.values;
    assumptions.forEach(function (a) { assumed[a.symbol] = true; });
    derivation.checks.forEach(function (check) {
      var symbol = check[0], rel = check[3];
      if (!hasOwn(inputs, symbol) || hasOwn(skip, symbol + "|" + rel.entry_id)) { return; }
      if (out.some(function (c) { return c.symbol === symbol; })) { return; }
      var names = relInputs(rel), shapeSet = {};
      names.forEach(function (n) {
        Object.keys(reads(derivation, n)).forEach(function (a) { if (hasOwn(assumed, a)) { shapeSet[a] = true; } });
      });
      var shape = sortedKeys(shapeSet);
      if (!shape.length) { return; }
      var implied = check[2], given = inputs[symbol];
      if (Math.abs(implied - given) <= ASSUMED_SHAPE_TOLERANCE * Math.max(Math.abs(implied), Math.abs(given))) { return; }
      var followers = sortedKeys(derivation.steps).filter(function (n) {
        if (hasOwn(inputs, n) || n === symbol) { return false; }
        var r = reads(derivation, n);
        return shape.some(function (a) { return hasOwn(r, a); });
      });
      var assumedText = shape.map(function (n) { return n + " = " + exact(values[n]); }).join(", ");
      var followText = followers.map(function (n) { return n + " = " + fmt(values[n]); }).join(", ");
      var side = implied < given ? "below" : "above";
      out.push({ symbol: symbol, given: given, implied: implied, entry: rel.entry_id,
        message: symbol + " = " + exact(given) + " is given, but the assumed " + assumedText + " give " + symbol +
          " = " + fmt(implied) + " by " + rel.entry_id + ", " + fmt(Math.abs(implied / given - 1) * 100) + " % " +
          side + ": " + (followers.length ? followText + " follow" + (followers.length === 1 ? "s" : "") +
          " the assumed shape, not the given " + symbol + "; " : "") + "give the shape to settle it" });
    });
    return out;
  }

  // resolve._refuse_unread_inputs: a value no definition and no answer read is an error, never an echo
  function refuseUnreadInputs(inputs, derivation, readByResults, skipped, kb, drafts) {
    var read = Object.assign({}, readByResults), values = derivation.values;
    Object.keys(derivation.steps).forEach(function (s) {
      derivation.steps[s].inputs.forEach(function (n) { read[n] = true; });
    });
    kb.entries.forEach(function (e) {
      if (e.kind !== "definition" || !active(e, drafts)) { return; }
      e.relations.forEach(function (rel) {  // a definition whose every term is known checks the given values
        if (hasOwn(values, rel.output) && relInputs(rel).every(function (n) { return hasOwn(values, n); })) {
          relInputs(rel).forEach(function (n) { read[n] = true; });
          read[rel.output] = true;
        }
      });
    });
    if (hasOwn(values, "d_model") && hasOwn(values, "n_heads")) { read.d_model = true; read.n_heads = true; }
    var unread = sortedKeys(inputs).filter(function (s) { return !hasOwn(read, s); });
    if (!unread.length) { return; }
    function readsIt(e, symbol) { return e.relations.some(function (rel) { return relInputs(rel).indexOf(symbol) >= 0; }); }
    var details = unread.map(function (symbol) {
      var waiting = skipped.filter(function (s) {
        return kb.entries.some(function (e) { return e.id === s.entry && readsIt(e, symbol); });
      }).map(function (s) {
        return s.entry + " (also needs " + s.missing.filter(function (m) { return m !== symbol; }).join(", ") + ")";
      });
      kb.entries.forEach(function (e) {
        if (e.kind !== "definition" || !active(e, drafts)) { return; }
        var needs = stillNeeded(e, symbol, values);
        if (needs.length) { waiting.push(e.id + " (also needs " + needs.join(", ") + ")"); }
      });
      var draftIds = kb.entries.filter(function (e) {
        return !active(e, drafts) && e.status === "draft" && readsIt(e, symbol);
      }).map(function (e) { return e.id; });
      var hint = waiting.length ? "; it is read by " + waiting.join(", ") :
        (draftIds.length ? "; only draft entries read it (" + draftIds.join(", ") + ": add --include-drafts)" :
          "; no entry of the KB reads it yet");
      return symbol + " = " + exact(inputs[symbol]) + hint;
    });
    throw UsageError("given but used by nothing that applies: " + details.join("; ") +
      ". Remove it, or add what the entries need");
  }

  // ------------------------------------------------------------------ resolver/summary.py

  var WIDEN = 1.5, POINTS = 5, CONFIG_SCALE = 2.0;
  var SYNTHESIS = "hpguide's synthesis, not a published value";

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function numSort(values) { return values.slice().sort(function (a, b) { return a - b; }); }

  // summary.log_median
  function logMedian(values) {
    var o = numSort(values), mid = Math.floor(o.length / 2);
    return o.length % 2 ? o[mid] : Math.sqrt(o[mid - 1] * o[mid]);
  }

  function linearMedian(values) { return median(numSort(values)); }

  // summary.log_points
  function logPoints(lo, hi, points) {
    if (points === 1) { return [Math.sqrt(lo * hi)]; }
    var out = [];
    for (var i = 0; i < points; i++) { out.push(lo * Math.pow(hi / lo, i / (points - 1))); }
    return out;
  }

  function statsOf(values, logs) {
    return { n: values.length, min: Math.min.apply(null, values), median: logs ? logMedian(values) : linearMedian(values),
      max: Math.max.apply(null, values) };
  }

  // summary.comparable_configs: [[|log N/N_query|, model, value]] nearest first
  function comparableConfigs(kb, symbol, context) {
    var n = context.N;
    if (n === undefined || !(n > 0)) { return []; }
    var d = hasOwn(context, "D") ? context.D : undefined, out = [];
    kb.entries.forEach(function (e) {
      if (e.kind !== "recipe" || !active(e, false)) { return; }
      e.table.forEach(function (row) {
        var nums = row.numbers || {}, value = nums[symbol], size = nums.N;
        if (!hasOwn(nums, symbol) || !(value > 0) || !hasOwn(nums, "N") || !(size > 0)) { return; }
        if (!(1 / CONFIG_SCALE <= size / n && size / n <= CONFIG_SCALE)) { return; }
        if (d !== undefined && d > 0) {
          var tokens = nums.D;
          if (!hasOwn(nums, "D") || !(1 / CONFIG_SCALE <= tokens / d && tokens / d <= CONFIG_SCALE)) { return; }
        }
        out.push([Math.abs(Math.log(size / n)), String(row.model), value]);
      });
    });
    out.sort(function (a, b) { return (a[0] - b[0]) || cmpStr(a[1], b[1]); });
    return out;
  }

  // summary._crosses: beyond one side of the compiled physical bounds {lo, lo_open, hi, hi_open}
  function crosses(value, bounds, upper) {
    if (!bounds) { return false; }
    var limit = upper ? bounds.hi : bounds.lo, open = upper ? bounds.hi_open : bounds.lo_open;
    if (typeof limit !== "number") { return false; }
    if (upper) { return open ? value >= limit : value > limit; }
    return open ? value <= limit : value < limit;
  }

  // summary.summarize
  function summarize(symbol, rows, largest, configs, byTokens, physical) {
    var usable = rows.filter(function (r) { return r.usable; });
    var inRange = usable.filter(function (r) { return r.in_range; });
    var flags = [], conventions = {}, basisRows, basis, what;
    if (largest) {
      basisRows = inRange.filter(function (r) { return largest.entries.indexOf(r.entry) >= 0; });
      conventions = Object.assign({}, largest.conventions);
      basis = "in-range";
      var keys = Object.keys(conventions);
      what = "the " + basisRows.length + " in-range law" + (basisRows.length !== 1 ? "s" : "") +
        " of the largest comparable group" +
        (keys.length ? " (" + keys.map(function (k) { return k + " " + conventions[k]; }).join(", ") + ")" : "");
      var others = inRange.length - basisRows.length;
      if (others) {
        flags.push(others + " more in-range answer" + (others !== 1 ? "s" : "") +
          " measured under other conventions: in the range, not in the median");
      }
    } else if (usable.length) {
      basisRows = usable;
      basis = "extrapolated";
      what = "the " + basisRows.length + " usable law" + (basisRows.length !== 1 ? "s" : "") + ", all extrapolated";
      flags.push("nothing in range: the start and the range rest on extrapolated answers and the configs");
    } else {
      basisRows = [];
      basis = configs.length ? "configs" : "none";
      what = "no law (none gives a usable value)";
      flags.push("no usable answer from any law" + (configs.length ? ": the start is the configs' median" : ""));
    }
    var lawValues = basisRows.map(function (r) { return r.value; });
    var configValues = configs.map(function (c) { return c[2]; });
    var logs = usable.map(function (r) { return r.value; }).concat(configValues).every(function (v) { return v > 0; });
    var laws = lawValues.length ? statsOf(lawValues, logs) : null;
    var configStats = null;
    if (configValues.length) {
      configStats = statsOf(configValues, logs);
      configStats.models = configs.map(function (c) { return c[1]; });
    }
    if (lawValues.length === 1 && basis !== "configs") { flags.push("one law only"); }
    var spanned = (inRange.length ? inRange : usable).map(function (r) { return r.value; });
    var bracket = spanned.concat(configValues);
    var base = { symbol: symbol, synthesis: SYNTHESIS, n_usable: usable.length, n_in_range: inRange.length,
      n_unusable: rows.length - usable.length, basis: basis, conventions: conventions };
    if (!bracket.length) {
      return Object.assign(base, { entries: [], laws: null, configs: null, start: null, range: null, points: null,
        rule: "nothing to suggest: no usable answer and no published config of comparable scale", flags: flags });
    }
    var middle = logs ? logMedian : linearMedian;
    var start = lawValues.length ? middle(lawValues) : middle(configValues);
    var lo, hi, grid, bmin = Math.min.apply(null, bracket), bmax = Math.max.apply(null, bracket);
    if (logs) {
      lo = bmin / WIDEN; hi = bmax * WIDEN;
      if (crosses(lo, physical, false)) {
        lo = bmin;
        flags.push("not widened below " + fmt(lo) + ": the widening would cross " + symbol + "'s physical bound");
      }
      if (crosses(hi, physical, true)) {
        hi = bmax;
        flags.push("not widened above " + fmt(hi) + ": the widening would cross " + symbol + "'s physical bound");
      }
      grid = lo < hi ? logPoints(lo, hi, POINTS) : [lo];
    } else {
      lo = bmin; hi = bmax;
      if (lo === hi) { grid = [lo]; }
      else { grid = []; for (var i = 0; i < POINTS; i++) { grid.push(lo + (hi - lo) * i / (POINTS - 1)); } }
      flags.push("values include 0 or less: a linear median and range, not widened");
    }
    var lawsText = spanned.length ? "the " + spanned.length + " " + (inRange.length ? "in-range" : "usable") +
      " answer" + (spanned.length !== 1 ? "s" : "") : "no law";
    var space = logs ? "log-space" : "linear", spaced = logs ? "log-spaced" : "evenly spaced";
    var widened = logs ? ", widened by " + WIDEN + "x" : "";
    var scale = "N within " + CONFIG_SCALE + "x" + (byTokens ? " and D within " + CONFIG_SCALE + "x" : "");
    var rule = (lawValues.length ? "start at the " + space + " median of " + what :
      "start at the " + space + " median of the published configs") +
      "; sweep " + grid.length + " " + spaced + " points over [min, max] of " + lawsText +
      (configValues.length ?
        " and of the " + configValues.length + " published config" + (configValues.length !== 1 ? "s" : "") +
        " of comparable scale (" + scale + ")" + widened :
        " (no published config of comparable scale gives " + symbol + ")" + widened);
    var entries = {};
    basisRows.forEach(function (r) { entries[r.entry] = true; });
    return Object.assign(base, { entries: sortedKeys(entries), laws: laws, configs: configStats, start: start,
      range: [lo, hi], points: grid, rule: rule, flags: flags });
  }

  // summary.summary_line
  function summaryLine(sm) {
    if (sm.start === null || sm.range === null) { return "hpguide synthesis: " + sm.rule; }
    return "hpguide synthesis: start " + q(sm.start) + ", sweep " + q(sm.range[0]) + " .. " + q(sm.range[1]) +
      " (" + plural((sm.points || []).length, "point") + "); " + sm.n_in_range + " of " +
      plural(sm.n_usable, "usable answer") + " in range" +
      (sm.configs ? ", " + plural(sm.configs.n, "published config") + " at this scale (" + q(sm.configs.min) +
        " .. " + q(sm.configs.max) + ")" : "");
  }

  // stats.median
  function median(sorted) {
    var n = sorted.length, mid = Math.floor(n / 2);
    return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  // math.isclose(a, b, rel_tol=tol)
  function isClose(a, b, tol) {
    if (a === b) { return true; }
    if (!isFinite(a) || !isFinite(b)) { return false; }
    return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));
  }

  // resolve._group_rank
  function groupRank(g) { var i = GROUP_ORDER.indexOf(g); return i < 0 ? GROUP_ORDER.length : i; }

  // resolve.resolve: returns QueryResult.to_dict()
  function resolve(kb, inputs, opts) {
    opts = opts || {};
    var drafts = !!opts.includeDrafts, nearest = opts.nearest === undefined ? 5 : opts.nearest;
    var unknown = sortedKeys(inputs).filter(function (k) { return !hasOwn(kb.symbols, k); });
    if (unknown.length) { throw UsageError("unknown symbol(s): " + unknown.join(", ") + " (see heuristics/symbols.yaml)"); }
    var ids = {};
    kb.entries.forEach(function (e) { ids[e.id] = true; });
    var wantedEntries = {}, wantedTopics = {};
    (opts.entries || []).forEach(function (id) { wantedEntries[id] = true; });
    (opts.topics || []).forEach(function (t) { wantedTopics[t] = true; });
    var missingIds = sortedKeys(wantedEntries).filter(function (id) { return !hasOwn(ids, id); });
    if (missingIds.length) { throw UsageError("no entry with id " + pyRepr(missingIds[0]) + " (see 'hpguide list')"); }
    if (!Object.keys(inputs).length) {
      throw UsageError("nothing to compute: give at least one of --params, --d-model, --compute");
    }
    var byEntries = Object.keys(wantedEntries).length > 0, byTopics = Object.keys(wantedTopics).length > 0;

    var defEntries = definitionEntries(kb, drafts), defs = [];
    defEntries.forEach(function (e) { defs = defs.concat(e.relations); });
    var fa = fillAssumptions(kb, defs, inputs, drafts), derivation = fa.derivation, context = derivation.values;
    var refined = refinedConflicts(defEntries, derivation);
    var conflicts = derivation.conflicts.filter(function (c) {
      return !hasOwn(refined, c[0] + "|" + c[3].entry_id);
    }).map(function (c) {
      var rel = c[3];
      return { symbol: c[0], given: c[1], implied: c[2], entry: rel.entry_id,
        message: c[0] + " = " + fmt(c[1]) + " disagrees with " + fmt(c[2]) + " implied by " + rel.entry_id +
          " (" + c[0] + " = " + rel.formula + "); the given value is used" };
    }).concat(consistencyConflicts(kb, derivation, inputs, fa.assumptions));
    var skip = Object.assign({}, refined);
    conflicts.forEach(function (c) { skip[c.symbol + "|" + c.entry] = true; });
    conflicts = conflicts.concat(assumedShapeConflicts(derivation, inputs, fa.assumptions, skip));

    var results = [], skipped = [], readByResults = {};
    // resolve.resolve's ask_inverse: N fixed, not assumed
    var askInverse = hasOwn(context, "N") && !fa.assumptions.some(function (a) { return a.symbol === "N"; });
    kb.entries.forEach(function (e) {
      if (HEURISTIC_KINDS.indexOf(e.kind) < 0 || !active(e, drafts)) { return; }
      if (byEntries && !hasOwn(wantedEntries, e.id)) { return; }
      if (byTopics && !e.topics.some(function (t) { return hasOwn(wantedTopics, t); })) { return; }
      // an entry's answers come from its own equations: a known value of one of its outputs (given,
      // assumed or derived) is set aside, compared below, and used only where the entry cannot compute it
      var outputs = {}, own = {}, lent = {};
      e.relations.forEach(function (r) { outputs[r.output] = true; });
      Object.keys(context).forEach(function (k) { if (!hasOwn(outputs, k)) { own[k] = context[k]; } });
      var local = derive(e.relations, own, false);
      Object.keys(outputs).forEach(function (k) {
        if (hasOwn(context, k) && !hasOwn(local.values, k)) { lent[k] = context[k]; }
      });
      if (Object.keys(lent).length) { local = derive(e.relations, Object.assign({}, own, lent), false); }
      if (askInverse && e.kind === "law") {
        inverseRows(kb, e, context).forEach(function (r) { results.push(r); });
      }
      var produced = e.relations.filter(function (r) { return hasOwn(local.steps, r.output); });
      if (!produced.length) {
        var needs = {};
        e.relations.forEach(function (r) {
          relInputs(r).forEach(function (n) { if (!hasOwn(local.values, n)) { needs[n] = true; } });
        });
        if (Object.keys(needs).length) { skipped.push({ entry: e.id, missing: sortedKeys(needs) }); }
        return;
      }
      // validity keys no equation reads are conditions of the whole entry: every answer is checked against them
      var mentioned = {};
      e.relations.forEach(function (r) { mentioned[r.output] = true; relInputs(r).forEach(function (n) { mentioned[n] = true; }); });
      var conditions = Object.keys(e.validity).filter(function (k) { return !hasOwn(mentioned, k); });
      var statusNotes = statusNotesOf(e);
      var draws = null;  // the entry's band draws, computed once for all of its answers
      produced.forEach(function (r) {
        var value = local.values[r.output], meta = kb.symbols[r.output] || {}, used = {};
        relInputs(r).forEach(function (n) { used[n] = local.values[n]; });
        var readSet = reads(local, r.output), checked = {};
        Object.keys(readSet).forEach(function (n) {
          readByResults[n] = true;
          if (hasOwn(e.validity, n) || (!hasOwn(local.steps, n) && hasOwn(kb.symbols, n))) { checked[n] = true; }
        });
        conditions.forEach(function (n) { checked[n] = true; });
        var rc = rangeCheck(e, local.values, checked);
        var why = usability(kb, e, r.output, value, local.values, readSet);
        if (why === null && draws === null && e.uncertainty) { draws = bandDraws(e, local.values); }
        var others = sortedKeys(readSet).filter(function (n) { return hasOwn(lent, n); }).map(function (n) {
          return n + " = " + fmt(context[n]) + " is " + provenance(n, inputs, fa.assumptions, derivation) +
            ", not computed by this entry";
        });
        if (hasOwn(context, r.output) && !isClose(context[r.output], value, 1e-9)) {
          others.unshift(r.output + " = " + fmt(context[r.output]) + " is " +
            provenance(r.output, inputs, fa.assumptions, derivation) + "; this entry gives " + fmt(value));
        }
        var rowNotes = (why ? ["no usable value: " + why] : []).concat(others, rc.notes, statusNotes);
        results.push({ symbol: r.output, value: value, entry: e.id, entry_version: e.version,
          title: e.title, citation: e.citation, reference: e.reference, formula: r.output + " = " + r.formula,
          in_range: rc.ok, warnings: rowNotes.concat(e.warnings), notes: rowNotes,
          status: e.status, kind: e.kind, group: String(meta.group || ""), unit: String(meta.unit || ""),
          inputs: used, usable: why === null, why: why, context: Object.assign({}, e.context || {}),
          band: why === null ? uncertaintyBand(e, r.output, local.values, draws) : null });
      });
    });
    if (!Object.keys(derivation.steps).length && !results.some(function (r) { return Object.keys(r.inputs).length; })) {
      // constant rules (e.g. Adam's beta2) answer any query; they do not make one meaningful
      throw UsageError("nothing follows from " + sortedKeys(inputs).join(", ") + " alone: give at least one of " +
        "--params, --d-model, --compute (with --tokens for data-dependent laws)");
    }
    refuseUnreadInputs(inputs, derivation, readByResults, skipped, kb, drafts);
    results.sort(function (a, b) {
      return (groupRank(a.group) - groupRank(b.group)) || cmpStr(a.symbol, b.symbol) || cmpStr(a.entry, b.entry);
    });
    var notes = [];
    if (kb.problems) {
      notes.push("the KB has " + kb.problems + " invalid entr" + (kb.problems === 1 ? "y" : "ies") +
        " that were left out: run 'hpguide validate'");
    }
    var groups = spreadGroups(kb, results);
    var summaries = {};
    results.forEach(function (r) {
      if (hasOwn(summaries, r.symbol)) { return; }
      summaries[r.symbol] = summarize(r.symbol, results.filter(function (x) { return x.symbol === r.symbol; }),
        hasOwn(groups, r.symbol) ? groups[r.symbol][0] : null, comparableConfigs(kb, r.symbol, context),
        hasOwn(context, "D"), (kb.symbols[r.symbol] || {}).physical);
    });
    var sortedInputs = {};
    sortedKeys(inputs).forEach(function (k) { sortedInputs[k] = inputs[k]; });
    return {
      kb_version: kb.kb_version,
      inputs: sortedInputs,
      assumptions: fa.assumptions,
      derived: derivedList(derivation, inputs),
      results: results,
      spread: firstSpreads(groups),
      spread_groups: groups,
      nearest_configs: rankedRows(kb, inputs, context).slice(0, nearest).map(config),
      conflicts: conflicts,
      skipped: skipped.sort(function (a, b) { return cmpStr(a.entry, b.entry); }),
      kb_problems: kb.problems,
      notes: notes,
      summary: summaries
    };
  }

  // ================================================================== the entry points

  var KB = null;

  // compiled.from_payload: the relations learn their entry id
  function prepareKB(payload) {
    payload.entries.forEach(function (e) { e.relations.forEach(function (r) { r.entry_id = e.id; }); });
    return payload;
  }

  // cli.main's error line: what follows "hpguide: error: "
  function errorLine(err) {
    var text = String(err && err.message !== undefined ? err.message : err);
    return text.indexOf("\n    ") < 0 ? collapseWhitespace(text) : text;
  }

  /* hpguideQuery(argv) -> the object `hpguide query ARGV --json` prints.
   * argv: the words after `hpguide query`, e.g. ["--params", "7B", "--tokens", "1T"]; or an object
   * like api.query's keywords: {params: "7B", tokens: "1T", set: {L: "2.1"}, topics: [], entries: [],
   * include_drafts: false}. Bad input throws an Error whose message is the CLI's error line. */
  function hpguideQuery(argvOrInputs, kb) {
    kb = kb || KB;
    if (!kb) { throw new Error("the knowledge base is not loaded yet"); }
    try {
      if (Array.isArray(argvOrInputs)) { return runQuery(kb, parseQueryArgs(argvOrInputs)); }
      var given = Object.assign({}, argvOrInputs), extra = [];
      var setValues = given.set || {}, topics = given.topics || [], entries = given.entries || [];
      var drafts = !!given.include_drafts;
      delete given.set; delete given.topics; delete given.entries; delete given.include_drafts;
      Object.keys(setValues).forEach(function (k) { extra.push([k, setValues[k]]); });
      return resolve(kb, parseInputs(given, extra, kb.symbols), { topics: topics, entries: entries, includeDrafts: drafts });
    } catch (err) {
      var out = new Error(errorLine(err));
      out.name = err && err.name || "Error";
      throw out;
    }
  }

  // ================================================================== rendering (report.to_text, for the page)

  var GROUP_TITLES = {
    "learning-rate": "Learning rate (peak)", "batch-size": "Batch size",
    "allocation": "Tokens and parameters (allocation)", "loss": "Expected loss",
    "schedule": "Schedule and warmup", "optimizer": "Weight decay and Adam settings",
    "parameterization": "Parameterisation (per-group transfer)", "shape": "Shape", "size": "Size",
    "compute": "Compute"
  };
  var CONFIG_COLUMNS = ["N", "d_model", "n_layers", "eta", "B", "D", "seq_len"];

  // report.q and report.exact: computed values to 3 significant digits, given and published ones exactly
  var q = formatComputed;

  //: report._CONTEXT_PHRASES: how a row's context reads, key by key
  var CONTEXT_PHRASES = [["optimizer", "{}"], ["schedule", "{}"], ["parameterization", "{}"],
    ["batch_unit", "batch in {}"], ["n_convention", "N {}"], ["data", "on {}"], ["tokenizer", "tokenizer {}"]];

  // report.context_text: the conditions an entry's numbers hold under, as one phrase
  function contextText(context) {
    var parts = CONTEXT_PHRASES.filter(function (p) { return hasOwn(context, p[0]); })
      .map(function (p) { return p[1].replace("{}", context[p[0]]); });
    return parts.length ? "fitted with " + parts.join(", ") : "";
  }

  // report.conventions_text: the shared conventions of a spread
  function conventionsText(conventions) {
    return Object.keys(conventions).map(function (k) { return k.replace(/_/g, " ") + " " + conventions[k]; }).join(", ");
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function badge(status) { return el("span", { "class": "hpg-badge hpg-" + status }, status); }

  function render(root, res) {
    root.innerHTML = "";
    var given = Object.keys(res.inputs).map(function (k) { return k + " = " + exact(res.inputs[k]); }).join(", ");
    root.appendChild(el("p", {}, "You gave: " + given));
    if (res.derived.length) {
      var dl = el("ul", { "class": "hpg-derived" });
      res.derived.forEach(function (d) {
        dl.appendChild(el("li", { "data-symbol": d.symbol, "data-value": String(d.value) },
          d.symbol + " = " + q(d.value) + " from " + d.formula + " [" + d.entry + "]"));
      });
      root.appendChild(el("p", {}, "Derived exactly from the definitions:"));
      root.appendChild(dl);
    }
    if (res.assumptions.length) {
      var ul = el("ul", { "class": "hpg-assumptions" });
      res.assumptions.forEach(function (a) {
        ul.appendChild(el("li", { "data-symbol": a.symbol, "data-value": String(a.value) },
          "ASSUMED " + a.symbol + " = " + exact(a.value) + " [" + a.entry + "] " + a.why));
      });
      root.appendChild(ul);
    }
    res.conflicts.forEach(function (c) {
      root.appendChild(el("p", { "class": "hpg-conflict", "data-symbol": c.symbol }, "CONFLICT: " + c.message));
    });
    res.notes.forEach(function (n) { root.appendChild(el("p", { "class": "hpg-note" }, "NOTE: " + n)); });
    var groups = {};
    res.results.forEach(function (r) { (groups[r.group] = groups[r.group] || []).push(r); });
    // report.to_text's summary block: hpguide's synthesis per quantity, before the rows
    if (Object.keys(res.summary || {}).length) {
      root.appendChild(el("h3", {}, "Summary: hpguide's synthesis per quantity (not a published value)"));
      var sumList = el("ul", { "class": "hpg-summary", "aria-live": "polite" });
      var seen = {};
      res.results.forEach(function (r) {
        if (seen[r.symbol] || !res.summary[r.symbol]) { return; }
        seen[r.symbol] = true;
        var sm = res.summary[r.symbol];
        var li = el("li", { "data-symbol": r.symbol }, r.symbol + ": " + summaryLine(sm).replace(/^hpguide synthesis: /, ""));
        var sub = el("ul");
        sm.flags.forEach(function (f) { sub.appendChild(el("li", { "class": "hpg-summary-flag" }, f)); });
        sub.appendChild(el("li", { "class": "hpg-summary-rule" }, "rule: " + sm.rule));
        li.appendChild(sub);
        sumList.appendChild(li);
      });
      root.appendChild(sumList);
    }
    Object.keys(groups).sort(function (a, b) { return groupRank(a) - groupRank(b) || cmpStr(a, b); }).forEach(function (g) {
      root.appendChild(el("h3", {}, GROUP_TITLES[g] || g));
      var table = el("table", { "data-hpg": "results" });  // no class: Material styles table:not([class])
      var head = el("tr");
      ["quantity", "value", "in range", "entry", "source"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
      table.appendChild(head);
      groups[g].forEach(function (r) {
        var tr = el("tr", { "class": "hpg-result" + (r.usable ? "" : " hpg-unusable"), "data-symbol": r.symbol,
          "data-entry": r.entry, "data-value": String(r.value), "data-in-range": String(r.in_range),
          "data-status": r.status, "data-usable": String(r.usable) });
        tr.appendChild(el("td", {}, r.symbol));
        // as report.to_text: a row with no usable value shows why, never the number
        var valueCell = r.usable ?
          el("td", { "class": "hpg-value", title: r.formula }, q(r.value) + (r.unit && r.unit !== "dimensionless" ? " " + r.unit : "")) :
          el("td", { "class": "hpg-no-value", title: r.formula + " gives " + q(r.value) }, "no usable value here: " + r.why);
        tr.appendChild(valueCell);
        tr.appendChild(el("td", {}, !r.usable ? "-" : (r.in_range ? "yes" : "no (extrapolation)")));
        var td = el("td");
        td.appendChild(el("a", { href: "../entries/" + r.entry + "/" }, r.entry + " v" + r.entry_version));
        if (r.status !== "stable") { td.appendChild(document.createTextNode(" ")); td.appendChild(badge(r.status)); }
        tr.appendChild(td);
        var src = el("td", {}, r.reference);
        if (r.band) {
          src.appendChild(el("div", { "class": "hpg-band" }, Math.round(r.band.level * 100) + "% band " + q(r.band.lo) +
            " .. " + q(r.band.hi) + " (" + r.band.method +
            (r.band.origin === "recomputed" ? ", recomputed by hpguide by the source's method" : "") + ", " +
            r.band.where + ")"));
        }
        var ctx = contextText(r.context || {});
        if (ctx) { src.appendChild(el("div", { "class": "hpg-context" }, ctx)); }
        tr.appendChild(src);
        table.appendChild(tr);
        if (r.warnings.length) {
          // the range notes and the entry's status in full; the source's caveats folded (they repeat per output)
          var wr = el("tr", { "class": "hpg-warnings-row", "data-entry": r.entry, "data-symbol": r.symbol });
          var cell = el("td", { colspan: "5" }), list = el("ul", { "class": "hpg-warnings" });
          // the row's own notes (the resolver marks them), then the entry's caveats
          r.notes.forEach(function (w) { list.appendChild(el("li", { "class": "hpg-range" }, w)); });
          var caveats = r.warnings.slice(r.notes.length);
          if (caveats.length) {
            var more = el("details", { "class": "hpg-caveats" });
            more.appendChild(el("summary", {}, caveats.length + " caveat" + (caveats.length > 1 ? "s" : "") +
              " from the entry"));
            var inner = el("ul", { "class": "hpg-warnings" });
            caveats.forEach(function (w) { inner.appendChild(el("li", {}, w)); });
            more.appendChild(inner);
            var holder = el("li", { "class": "hpg-caveats-item" });
            holder.appendChild(more);
            list.appendChild(holder);
          }
          cell.appendChild(list);
          wr.appendChild(cell);
          table.appendChild(wr);
        }
      });
      root.appendChild(table);
      // report.to_text's spread lines: one per group of comparable answers with at least two in range
      Object.keys(res.spread_groups).forEach(function (sym) {
        if (!groups[g].some(function (r) { return r.symbol === sym; })) { return; }
        res.spread_groups[sym].forEach(function (s) {
          if (s.n < 2) { return; }
          var alike = Object.keys(s.conventions).length ? " comparable (" + conventionsText(s.conventions) + ")" : "";
          root.appendChild(el("p", { "class": "hpg-spread", "data-symbol": sym },
            "Spread of " + sym + " over " + s.n + alike + " in range: " + q(s.min) + " .. " + q(s.max) +
            (s.max_min_ratio ? " (" + q(s.max_min_ratio) + "x)" : "") + ", median " + q(s.median) +
            (s.n_out_of_range ? "; " + s.n_out_of_range + " more out of range" : "") +
            (s.n_unusable ? "; " + s.n_unusable + " with no usable value" : "")));
        });
      });
    });
    if (res.skipped.length) {
      root.appendChild(el("h3", {}, "Not applicable"));
      var sl = el("ul", { "class": "hpg-skipped" });
      res.skipped.forEach(function (s) { sl.appendChild(el("li", {}, s.entry + " needs " + s.missing.join(", "))); });
      root.appendChild(sl);
    }
    if (res.nearest_configs.length) {
      root.appendChild(el("h3", {}, "Nearest published configs"));
      var t = el("table", { "data-hpg": "nearest" }), h = el("tr");
      ["model"].concat(CONFIG_COLUMNS).forEach(function (x) { h.appendChild(el("th", {}, x)); });
      t.appendChild(h);
      res.nearest_configs.forEach(function (c) {
        var tr = el("tr");
        tr.appendChild(el("td", { title: c.where }, c.model + " (" + c.entry + ")"));
        CONFIG_COLUMNS.forEach(function (k) { tr.appendChild(el("td", {}, hasOwn(c.values, k) ? exact(c.values[k]) : "-")); });
        t.appendChild(tr);
      });
      root.appendChild(t);
    }
  }

  //: form field -> query flag
  var FIELDS = [["params", "--params"], ["d_model", "--d-model"], ["n_layers", "--n-layers"],
    ["vocab_size", "--vocab-size"], ["seq_len", "--seq-len"], ["tokens", "--tokens"], ["compute", "--compute"],
    ["batch_size", "--batch-size"]];

  // the form as the argv of `hpguide query`
  function formArgv(form) {
    var argv = [];
    FIELDS.forEach(function (f) {
      var input = form.elements[f[0]];
      if (input && input.value.trim()) { argv.push(f[1] + "=" + input.value); }
    });
    var more = form.elements.set ? form.elements.set.value.split(/[\s,]+/).filter(Boolean) : [];
    more.forEach(function (item) { argv.push("--set", item); });
    if (form.elements.include_drafts && form.elements.include_drafts.checked) { argv.push("--include-drafts"); }
    return argv;
  }

  function run() {
    var form = document.getElementById("hpg-form"), out = document.getElementById("hpg-output");
    var error = document.getElementById("hpg-error");
    error.textContent = "";
    try {
      render(out, hpguideQuery(formArgv(form)));
      out.setAttribute("data-ready", "true");
    } catch (e) {
      error.textContent = e.message;
      out.innerHTML = "";
      out.setAttribute("data-ready", "error");
    }
  }

  function init() {
    var form = document.getElementById("hpg-form");
    if (!form) { return; }
    var url = form.getAttribute("data-kb");
    fetch(url).then(function (r) { return r.json(); }).then(function (payload) {
      KB = prepareKB(payload);
      form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
      document.getElementById("hpg-status").textContent = "KB " + KB.kb_version + " loaded: " + KB.entries.length + " entries.";
      form.setAttribute("data-loaded", "true");
    }).catch(function (e) {
      document.getElementById("hpg-status").textContent = "could not load the KB: " + e;
    });
  }

  window.hpguideQuery = hpguideQuery;
  window.hpguide = { query: hpguideQuery, resolve: resolve, derive: derive, evalTree: evalTree, fsum: fsum,
    parseQuantity: parseQuantity, parseQueryArgs: parseQueryArgs, pyFormatG: pyFormatG, pyRound: pyRound,
    prepareKB: prepareKB, render: render, formatQuantity: formatQuantity, formatExact: formatExact,
    formatComputed: formatComputed };
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(init); }
  else if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
