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

  // Python's format(value, f".{prec}g") (resolve._fmt is f"{value:.3g}")
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

  function fmt(value) { return pyFormatG(value, 3); }  // resolve._fmt

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
    var values = Object.assign({}, known), steps = {}, conflicts = [], checked = {};
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
              if (isFinite(implied) && !close(values[rel.output], implied, conflictTol)) {
                conflicts.push([rel.output, values[rel.output], implied, rel]);
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
    return { values: values, steps: steps, conflicts: conflicts };
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

  // resolve._config: a Config record
  function config(item) {
    return { model: item.model, entry: item.entry, where: String(item.row.where), distance: item.distance,
      values: Object.assign({}, item.row.numbers), texts: Object.assign({}, item.row.texts || {}) };
  }

  // resolve._definitions
  function definitions(kb, drafts) {
    var out = [];
    kb.entries.forEach(function (e) {
      if (e.kind === "definition" && active(e, drafts)) { out = out.concat(e.relations); }
    });
    return out;
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
          why: "not given; " + e.title + ": " + symbol + " = " + formula + " with " + used };
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
    return { symbol: symbol, value: value, entry: first.entry,
      why: "not given; the most common value (" + best + " of " + near.length +
        ") among the published configs nearest by " + anchor + ": " + models };
  }

  // resolve.range_check
  function rangeCheck(e, env) {
    var ok = true, notes = [];
    sortedKeys(e.validity).forEach(function (sym) {
      var lo = e.validity[sym][0], hi = e.validity[sym][1];
      if (!hasOwn(env, sym)) {
        notes.push("range of " + sym + " not checked (" + sym + " unknown; source range " + fmt(lo) + ".." + fmt(hi) + ")");
        return;
      }
      var v = env[sym];
      if (!(lo <= v && v <= hi)) {
        ok = false;
        notes.push("extrapolation: " + sym + " = " + fmt(v) + " is " + (v > hi ? "above" : "below") +
          " the source's range " + fmt(lo) + ".." + fmt(hi));
      }
    });
    return { ok: ok, notes: notes };
  }

  // resolve._median
  function median(sorted) {
    var n = sorted.length, mid = Math.floor(n / 2);
    return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  // resolve._spread
  function spread(results) {
    var bySymbol = {}, out = {};
    results.forEach(function (r) { (bySymbol[r.symbol] = bySymbol[r.symbol] || []).push(r); });
    sortedKeys(bySymbol).forEach(function (sym) {
      var rows = bySymbol[sym];
      var inside = rows.filter(function (r) { return r.in_range; }).map(function (r) { return r.value; })
        .sort(function (a, b) { return a - b; });
      var outside = rows.filter(function (r) { return !r.in_range; }).length;
      if (!inside.length) { return; }
      var lo = inside[0], hi = inside[inside.length - 1];
      out[sym] = { n: inside.length, min: lo, median: median(inside), max: hi,
        max_min_ratio: lo > 0 ? hi / lo : null, n_out_of_range: outside };
    });
    return out;
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

    var defs = definitions(kb, drafts);
    var fa = fillAssumptions(kb, defs, inputs, drafts), derivation = fa.derivation, context = derivation.values;
    var conflicts = derivation.conflicts.map(function (c) {
      var rel = c[3];
      return { symbol: c[0], given: c[1], implied: c[2], entry: rel.entry_id,
        message: c[0] + " = " + fmt(c[1]) + " disagrees with " + fmt(c[2]) + " implied by " + rel.entry_id +
          " (" + c[0] + " = " + rel.formula + "); the given value is used" };
    });

    var results = [], skipped = [];
    kb.entries.forEach(function (e) {
      if (HEURISTIC_KINDS.indexOf(e.kind) < 0 || !active(e, drafts)) { return; }
      if (byEntries && !hasOwn(wantedEntries, e.id)) { return; }
      if (byTopics && !e.topics.some(function (t) { return hasOwn(wantedTopics, t); })) { return; }
      var local = derive(e.relations, context, false);
      var produced = e.relations.filter(function (r) { return hasOwn(local.steps, r.output); });
      if (!produced.length) {
        var needs = {};
        e.relations.forEach(function (r) {
          relInputs(r).forEach(function (n) { if (!hasOwn(local.values, n)) { needs[n] = true; } });
        });
        if (Object.keys(needs).length) { skipped.push({ entry: e.id, missing: sortedKeys(needs) }); }
        return;
      }
      var rc = rangeCheck(e, local.values);
      var baseWarnings = e.warnings.slice();
      if (e.status === "disputed" || e.status === "draft") { baseWarnings.unshift("entry status: " + e.status); }
      produced.forEach(function (r) {
        var meta = kb.symbols[r.output] || {}, used = {};
        relInputs(r).forEach(function (n) { used[n] = local.values[n]; });
        results.push({ symbol: r.output, value: local.values[r.output], entry: e.id, entry_version: e.version,
          title: e.title, citation: e.citation, reference: e.reference, formula: r.output + " = " + r.formula,
          in_range: rc.ok, warnings: rc.notes.concat(baseWarnings), status: e.status, kind: e.kind,
          group: String(meta.group || ""), unit: String(meta.unit || ""), inputs: used });
      });
    });
    if (!Object.keys(derivation.steps).length && !results.some(function (r) { return Object.keys(r.inputs).length; })) {
      // constant rules (e.g. Adam's beta2) answer any query; they do not make one meaningful
      throw UsageError("nothing follows from " + sortedKeys(inputs).join(", ") + " alone: give at least one of " +
        "--params, --d-model, --compute (with --tokens for data-dependent laws)");
    }
    results.sort(function (a, b) {
      return (groupRank(a.group) - groupRank(b.group)) || cmpStr(a.symbol, b.symbol) || cmpStr(a.entry, b.entry);
    });
    var notes = [];
    if (kb.problems) {
      notes.push("the KB has " + kb.problems + " invalid entr" + (kb.problems === 1 ? "y" : "ies") +
        " that were left out: run 'hpguide validate'");
    }
    var sortedInputs = {};
    sortedKeys(inputs).forEach(function (k) { sortedInputs[k] = inputs[k]; });
    return {
      kb_version: kb.kb_version,
      inputs: sortedInputs,
      assumptions: fa.assumptions,
      derived: derivedList(derivation, inputs),
      results: results,
      spread: spread(results),
      nearest_configs: nearestRows(kb, context, null).slice(0, nearest).map(config),
      conflicts: conflicts,
      skipped: skipped.sort(function (a, b) { return cmpStr(a.entry, b.entry); }),
      kb_problems: kb.problems,
      notes: notes
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

  function human(v) {
    var a = Math.abs(v);
    if (v === 0) { return "0"; }
    if (a < 1e4 && Number.isInteger(v)) { return String(v); }
    if (a >= 1e4 && a < 1e15) {
      var units = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];
      for (var i = 0; i < units.length; i++) {
        if (a >= units[i][0]) { return Number((v / units[i][0]).toPrecision(2)) + units[i][1]; }
      }
    }
    if (a >= 0.01 && a < 1e4) { return String(Number(v.toPrecision(3))); }
    return v.toExponential(2).replace("e+", "e");
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
    var given = Object.keys(res.inputs).map(function (k) { return k + " = " + human(res.inputs[k]); }).join(", ");
    root.appendChild(el("p", {}, "You gave: " + given));
    if (res.derived.length) {
      var dl = el("ul", { "class": "hpg-derived" });
      res.derived.forEach(function (d) {
        dl.appendChild(el("li", { "data-symbol": d.symbol, "data-value": String(d.value) },
          d.symbol + " = " + human(d.value) + " from " + d.formula + " [" + d.entry + "]"));
      });
      root.appendChild(el("p", {}, "Derived exactly from the definitions:"));
      root.appendChild(dl);
    }
    if (res.assumptions.length) {
      var ul = el("ul", { "class": "hpg-assumptions" });
      res.assumptions.forEach(function (a) {
        ul.appendChild(el("li", { "data-symbol": a.symbol, "data-value": String(a.value) },
          "ASSUMED " + a.symbol + " = " + human(a.value) + " [" + a.entry + "] " + a.why));
      });
      root.appendChild(ul);
    }
    res.conflicts.forEach(function (c) {
      root.appendChild(el("p", { "class": "hpg-conflict", "data-symbol": c.symbol }, "CONFLICT: " + c.message));
    });
    res.notes.forEach(function (n) { root.appendChild(el("p", { "class": "hpg-note" }, "NOTE: " + n)); });
    var groups = {};
    res.results.forEach(function (r) { (groups[r.group] = groups[r.group] || []).push(r); });
    Object.keys(groups).sort(function (a, b) { return groupRank(a) - groupRank(b) || cmpStr(a, b); }).forEach(function (g) {
      root.appendChild(el("h3", {}, GROUP_TITLES[g] || g));
      var table = el("table", { "data-hpg": "results" });  // no class: Material styles table:not([class])
      var head = el("tr");
      ["quantity", "value", "in range", "entry", "source"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
      table.appendChild(head);
      groups[g].forEach(function (r) {
        var tr = el("tr", { "class": "hpg-result", "data-symbol": r.symbol, "data-entry": r.entry,
          "data-value": String(r.value), "data-in-range": String(r.in_range), "data-status": r.status });
        tr.appendChild(el("td", {}, r.symbol));
        tr.appendChild(el("td", { "class": "hpg-value", title: r.formula }, human(r.value) + (r.unit && r.unit !== "dimensionless" ? " " + r.unit : "")));
        tr.appendChild(el("td", {}, r.in_range ? "yes" : "no (extrapolation)"));
        var td = el("td");
        td.appendChild(el("a", { href: "../entries/" + r.entry + "/" }, r.entry + " v" + r.entry_version));
        if (r.status !== "stable") { td.appendChild(document.createTextNode(" ")); td.appendChild(badge(r.status)); }
        tr.appendChild(td);
        tr.appendChild(el("td", {}, r.reference));
        table.appendChild(tr);
        if (r.warnings.length) {
          // the range notes and the entry's status in full; the source's caveats folded (they repeat per output)
          var wr = el("tr", { "class": "hpg-warnings-row", "data-entry": r.entry, "data-symbol": r.symbol });
          var cell = el("td", { colspan: "5" }), list = el("ul", { "class": "hpg-warnings" });
          var isNote = function (w) { return /^(extrapolation: |range of |entry status: )/.test(w); };
          r.warnings.filter(isNote).forEach(function (w) { list.appendChild(el("li", { "class": "hpg-range" }, w)); });
          var caveats = r.warnings.filter(function (w) { return !isNote(w); });
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
      Object.keys(res.spread).forEach(function (sym) {
        var s = res.spread[sym];
        if (s.n > 1 && groups[g].some(function (r) { return r.symbol === sym; })) {
          root.appendChild(el("p", { "class": "hpg-spread", "data-symbol": sym },
            "Spread of " + sym + " over " + s.n + " in-range entries: " + human(s.min) + " to " + human(s.max) +
            (s.max_min_ratio ? " (" + s.max_min_ratio.toPrecision(2) + "x)" : "") + ", median " + human(s.median) +
            (s.n_out_of_range ? "; " + s.n_out_of_range + " more out of range" : "")));
        }
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
        CONFIG_COLUMNS.forEach(function (k) { tr.appendChild(el("td", {}, hasOwn(c.values, k) ? human(c.values[k]) : "-")); });
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
    prepareKB: prepareKB };
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(init); }
  else if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
