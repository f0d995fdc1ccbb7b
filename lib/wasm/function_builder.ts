/**
 * Builds one WebAssembly function: named parameters and locals, a body of statements, the
 * structured control kernels need (`forRange`, counting up to a bound; `ifThen`; `ifElse`) and
 * an optional result (`returnValue`).
 *
 * @module
 */

import { type Bytes, unsignedLeb128, vector } from "./encoding.ts";
import {
  type Expr,
  get,
  i32,
  type Local,
  set,
  VALUE_TYPE_CODES,
  type ValueType,
} from "./instructions.ts";

const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, END = 0x0b, BR = 0x0c, BR_IF = 0x0d;
const RETURN = 0x0f;
/** The block type of blocks that take and leave nothing. */
const EMPTY = 0x40;

/** A function under construction; exported by its name once added to a module. */
export class FunctionBuilder {
  /** The export name. */
  readonly name: string;
  /** Parameters, by name, in declaration order. */
  readonly params: Readonly<Record<string, Local>>;
  readonly #paramTypes: ValueType[];
  readonly #result: ValueType | undefined;
  #returned = false;
  readonly #locals: Local[] = [];
  readonly #body: Bytes = [];

  /** Starts a function with the given parameters (taken in this order) and optional result. */
  constructor(name: string, params: Readonly<Record<string, ValueType>>, result?: ValueType) {
    this.name = name;
    this.#result = result;
    this.#paramTypes = Object.values(params);
    this.params = Object.fromEntries(
      Object.entries(params).map(([paramName, type], index) => [
        paramName,
        { name: paramName, type, index },
      ]),
    );
  }

  /** Declares a local (zero-initialised). */
  local(name: string, type: ValueType): Local {
    const local = { name, type, index: this.#paramTypes.length + this.#locals.length };
    this.#locals.push(local);
    return local;
  }

  /** Appends statements (instructions that leave nothing on the stack). */
  emit(...statements: Expr[]): void {
    for (const statement of statements) {
      if (statement.type !== "none") {
        throw new TypeError(
          `Cannot emit a statement in ${this.name}: it leaves a ${statement.type} on the stack`,
        );
      }
      this.#append(statement.bytes);
    }
  }

  /**
   * `for (counter = start; counter < end; counter += step) body()`, with a signed comparison;
   * the body emits its statements into this function.
   */
  forRange(counter: Local, start: Expr, end: Expr, step: number, body: () => void): void {
    this.emit(set(counter, start));
    this.#body.push(BLOCK, EMPTY, LOOP, EMPTY);
    this.#append(i32.geS(get(counter), end).bytes);
    this.#body.push(BR_IF, 1);
    body();
    this.emit(set(counter, i32.add(get(counter), i32.const(step))));
    this.#body.push(BR, 0, END, END);
  }

  /** `if (condition) body()`, where condition is an i32 (non-zero is true). */
  ifThen(condition: Expr, body: () => void): void {
    if (condition.type !== "i32") {
      throw new TypeError(`Cannot branch in ${this.name}: the condition is ${condition.type}`);
    }
    this.#append(condition.bytes);
    this.#body.push(IF, EMPTY);
    body();
    this.#body.push(END);
  }

  /** `if (condition) then() else otherwise()`, where condition is an i32. */
  ifElse(condition: Expr, then: () => void, otherwise: () => void): void {
    this.ifThen(condition, () => {
      then();
      this.#body.push(ELSE);
      otherwise();
    });
  }

  /** Ends the function with its result (functions with a result must call this last). */
  returnValue(value: Expr): void {
    if (value.type !== this.#result) {
      throw new TypeError(
        `Cannot return from ${this.name}: the value is ${value.type}, the result ${this.#result}`,
      );
    }
    this.#append(value.bytes);
    this.#body.push(RETURN);
    this.#returned = true;
  }

  /** Appends bytes one by one (a spread of a long run could overflow the call stack). */
  #append(bytes: Bytes): void {
    for (const byte of bytes) this.#body.push(byte);
  }

  /** The function's type: `(params) -> (result?)`, as the type section encodes it. */
  encodeType(): Bytes {
    const results = this.#result ? [[VALUE_TYPE_CODES[this.#result]]] : [];
    return [
      0x60,
      ...vector(this.#paramTypes.map((type) => [VALUE_TYPE_CODES[type]])),
      ...vector(results),
    ];
  }

  /** The function's code entry: its size, its local declarations and its body. */
  encodeCode(): Bytes {
    if (this.#result && !this.#returned) {
      throw new Error(`Cannot encode ${this.name}: it declares a result but never returns one`);
    }
    const declarations = vector(this.#locals.map((local) => [1, VALUE_TYPE_CODES[local.type]]));
    const code = [...declarations, ...this.#body, END];
    return [...unsignedLeb128(code.length), ...code];
  }
}
