/**
 * OpenCV.js without eval.
 *
 * The pinned OpenCV.js (4.12, built with an old emscripten) generates its embind glue at start-up
 * with `new Function(source)`. The app's Content-Security-Policy allows 'wasm-unsafe-eval' but not
 * 'unsafe-eval', and a worker gets the policy sent with its own script, so in the scan worker that
 * code throws `EvalError` and OpenCV never initialises.
 *
 * embind generates only four shapes of source (createNamedFunction, makeDynCaller,
 * craftInvokerFunction, __emval_get_method_caller). This module replaces `globalThis.Function`
 * with a proxy that recognises exactly those shapes and returns closures that do the same work
 * without compiling a string. Anything else goes to the real `Function` (which the CSP then
 * refuses, as before). Install it before the OpenCV module is evaluated and leave it installed:
 * embind may build a method caller later.
 *
 * Tied to the pinned emscripten output; `tests/unit/scan-pipeline.test.ts` loads OpenCV in a Node
 * process started with `--disallow-code-generation-from-strings` to prove no string reaches eval.
 */

type AnyFn = (...args: unknown[]) => unknown;
/** The embind values the generated code receives (type converters, invokers). */
interface WireType {
  toWireType(destructors: unknown[] | null, value: unknown): unknown;
  fromWireType(wire: unknown): unknown;
  readValueFromPointer(ptr: number): unknown;
  deleteObject(value: unknown): void;
}

export interface NoEvalStats {
  /** Generated functions built without eval, by shape. */
  handled: Record<'namedFunction' | 'dynCaller' | 'invoker' | 'methodCaller', number>;
  /** Sources that matched no known shape and were passed to the real Function. */
  unknown: number;
}

const MARK = Symbol.for('proof-free-desk.opencv-no-eval');

function named<T extends AnyFn>(name: string, f: T): T {
  try {
    Object.defineProperty(f, 'name', { value: name });
  } catch {
    /* cosmetic only */
  }
  return f;
}

/** Builds the factory the generated source would have returned, or null for an unknown shape. */
function compile(params: string[], body: string, stats: NoEvalStats): AnyFn | null {
  // createNamedFunction(name, body): a named wrapper that forwards `this` and the arguments.
  let m = /^return function (\w+)\(\) \{\n\s*"use strict";\s*return body\.apply\(this, arguments\);\n\};\n$/.exec(body);
  if (m && params.length === 1 && params[0] === 'body') {
    const name = m[1]!;
    stats.handled.namedFunction++;
    return (target: unknown) =>
      named(name, function (this: unknown, ...args: unknown[]) {
        return (target as AnyFn).apply(this, args);
      });
  }

  // embind__requireFunction's makeDynCaller: function(a1..an) { return dynCall(rawFunction, a1..an) }.
  m = /^return function (\w+)\(([\w, ]*)\) \{\n\s*return dynCall\(rawFunction(?:, [\w, ]+)?\);\n\};\n$/.exec(body);
  if (m && params.length === 2 && params[0] === 'dynCall' && params[1] === 'rawFunction') {
    const name = m[1]!;
    const arity = m[2]!.trim() === '' ? 0 : m[2]!.split(',').length;
    stats.handled.dynCaller++;
    return (dynCall: unknown, rawFunction: unknown) =>
      named(name, (...args: unknown[]) => (dynCall as AnyFn)(rawFunction, ...args.slice(0, arity)));
  }

  // craftInvokerFunction: convert arguments to wire types, call the C++ invoker, run destructors,
  // convert the result back.
  const invokerHead = ['throwBindingError', 'invoker', 'fn', 'runDestructors', 'retType', 'classParam'];
  if (invokerHead.every((p, i) => params[i] === p)) {
    const sig = /throwBindingError\('function (.*) called with ' \+ arguments\.length \+ ' arguments, expected (\d+) args!'\);/.exec(body);
    if (!sig) return null;
    const humanName = sig[1]!;
    const argCount = Number(sig[2]);
    const rest = params.slice(invokerHead.length);
    const argTypeNames = rest.filter((p) => /^argType\d+$/.test(p));
    if (argTypeNames.length !== argCount || argTypeNames.some((p, i) => p !== `argType${i}`)) return null;
    const isMethod = body.includes('var thisWired = classParam.toWireType(');
    const needsStack = body.includes('var destructors = [];');
    const returns = body.includes('var rv = invoker(fn');
    // Per-argument destructors, in the order the generated code calls them.
    const dtors: Array<{ param: number; wiredIndex: number }> = [];
    rest.forEach((p, i) => {
      const d = /^(thisWired|arg(\d+)Wired)_dtor$/.exec(p);
      if (!d) return;
      const wiredIndex = d[1] === 'thisWired' ? 0 : Number(d[2]) + (isMethod ? 1 : 0);
      dtors.push({ param: invokerHead.length + i, wiredIndex });
    });
    if (argTypeNames.length + dtors.length !== rest.length) return null;
    stats.handled.invoker++;
    return (...values: unknown[]) => {
      const [throwBindingError, invoker, fn, runDestructors, retType, classParam] = values as [AnyFn, AnyFn, unknown, AnyFn, WireType, WireType];
      const argTypes = values.slice(invokerHead.length, invokerHead.length + argCount) as WireType[];
      const dtorFns = dtors.map((d) => ({ fn: values[d.param] as AnyFn, wiredIndex: d.wiredIndex }));
      return named(humanName.replace(/[^a-zA-Z0-9_]/g, '$'), function (this: unknown, ...args: unknown[]) {
        if (args.length !== argCount) {
          throwBindingError(`function ${humanName} called with ${args.length} arguments, expected ${argCount} args!`);
        }
        const destructors: unknown[] | null = needsStack ? [] : null;
        const wired: unknown[] = [];
        if (isMethod) wired.push(classParam.toWireType(destructors, this));
        for (let i = 0; i < argCount; i++) wired.push(argTypes[i]!.toWireType(destructors, args[i]));
        const rv = invoker(fn, ...wired);
        if (needsStack) runDestructors(destructors);
        else for (const d of dtorFns) d.fn(wired[d.wiredIndex]);
        return returns ? retType.fromWireType(rv) : undefined;
      });
    };
  }

  // __emval_get_method_caller: read the arguments from the stack, call handle[name](...).
  if (params[0] === 'retType' && /^return function \w+\(handle, name, destructors, args\) \{\n/.test(body)) {
    const reads = [...body.matchAll(/var arg(\d+) = argType\1\.readValueFromPointer\(args(?:\+(\d+))?\);/g)].map((r) => Number(r[2] ?? 0));
    const deletes = [...body.matchAll(/argType(\d+)\.deleteObject\(arg\1\);/g)].map((r) => Number(r[1]));
    const returnsValue = body.includes('return retType.toWireType(destructors, rv);');
    if (reads.length !== params.length - 1) return null;
    stats.handled.methodCaller++;
    return (retType: unknown, ...argTypes: unknown[]) =>
      (handle: Record<string, AnyFn>, name: string, destructors: unknown[] | null, argsPtr: number) => {
        const args = reads.map((offset, i) => (argTypes[i] as WireType).readValueFromPointer(argsPtr + offset));
        const rv = handle[name]!(...args);
        for (const i of deletes) (argTypes[i] as WireType).deleteObject(args[i]);
        return returnsValue ? (retType as WireType).toWireType(destructors, rv) : undefined;
      };
  }
  return null;
}

/**
 * Replaces `globalThis.Function` with the eval-free proxy (idempotent). Returns the counters, so
 * a test can check the shim did the work and met no unknown shape.
 */
export function installNoEvalFunction(scope: typeof globalThis = globalThis): NoEvalStats {
  const existing = (scope.Function as unknown as Record<symbol, NoEvalStats | undefined>)[MARK];
  if (existing) return existing;
  const RealFunction = scope.Function;
  const stats: NoEvalStats = { handled: { namedFunction: 0, dynCaller: 0, invoker: 0, methodCaller: 0 }, unknown: 0 };
  const build = (args: unknown[]): unknown => {
    const strings = args.map((a) => String(a));
    const body = strings.length ? strings[strings.length - 1]! : '';
    const params = strings.slice(0, -1).flatMap((p) => p.split(',').map((s) => s.trim()));
    const factory = compile(params, body, stats);
    if (factory) return factory;
    stats.unknown++;
    return Reflect.construct(RealFunction, args);
  };
  const proxy = new Proxy(RealFunction, {
    apply: (_target, _this, args: unknown[]) => build(args),
    construct: (_target, args: unknown[]) => build(args) as object,
    get: (target, key, receiver) => (key === MARK ? stats : Reflect.get(target, key, receiver)),
  });
  Object.defineProperty(scope, 'Function', { value: proxy, writable: true, configurable: true, enumerable: false });
  return stats;
}
