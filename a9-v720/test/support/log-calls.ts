/**
 * Finds every log call in a set of TypeScript files, by type: a method call on a pino Logger
 * (anything with `child`, `bindings` and `level`) or on a RateLimitedLog, whatever the variable
 * is called. For each, what the logging convention cares about: the fields passed, the camera
 * field's value, the message's literal text and its `${…}` parts.
 */
import path from 'node:path';
import ts from 'typescript';

export const LOG_METHODS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'log']);

export interface LogCall {
  readonly file: string;
  readonly line: number;
  readonly via: 'logger' | 'rate-limited';
  /** Names of the fields of an object literal passed, or undefined when none or not a literal. */
  readonly fields: readonly string[] | undefined;
  /** Source text of the `camera` field's value (`id` for `{ camera: id }`), if one is passed. */
  readonly cameraField: string | undefined;
  /** The message's literal text, every branch and nested template included. */
  readonly texts: readonly string[];
  /** Source text of each `${…}` (or non-literal) part of the message. */
  readonly placeholders: readonly string[];
  /** Placeholders right after the word "camera" in the text: `camera ${id}`. */
  readonly afterCamera: readonly string[];
}

export interface ChildCall {
  readonly file: string;
  readonly line: number;
  readonly fields: readonly string[];
}

export interface ScanResult {
  readonly calls: LogCall[];
  /** `logger.child({...})` calls with an object literal: the bindings they add. */
  readonly children: ChildCall[];
}

function isLogger(type: ts.Type): boolean {
  return type.getProperty('child') !== undefined && type.getProperty('bindings') !== undefined && type.getProperty('level') !== undefined;
}

function isRateLimitedLog(type: ts.Type): boolean {
  return type.getSymbol()?.getName() === 'RateLimitedLog';
}

function fieldNames(node: ts.ObjectLiteralExpression): { names: string[]; camera: string | undefined } {
  const names: string[] = [];
  let camera: string | undefined;
  for (const property of node.properties) {
    if (ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) {
      const name = property.name.getText();
      names.push(name);
      if (name === 'camera') camera = ts.isPropertyAssignment(property) ? property.initializer.getText() : 'camera';
    } else if (ts.isSpreadAssignment(property)) names.push(`...${property.expression.getText()}`);
  }
  return { names, camera };
}

const isStringy = (node: ts.Expression): boolean =>
  ts.isStringLiteral(node) ||
  ts.isNoSubstitutionTemplateLiteral(node) ||
  ts.isTemplateExpression(node) ||
  (ts.isConditionalExpression(node) && (isStringy(node.whenTrue) || isStringy(node.whenFalse))) ||
  (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken && (isStringy(node.left) || isStringy(node.right))) ||
  (ts.isParenthesizedExpression(node) && isStringy(node.expression));

/** Collects the literal pieces and the placeholders of a message expression. */
function collectMessage(node: ts.Expression, out: { texts: string[]; placeholders: string[]; afterCamera: string[] }): void {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    out.texts.push(node.text);
  } else if (ts.isTemplateExpression(node)) {
    let before = node.head.text;
    out.texts.push(before);
    for (const span of node.templateSpans) {
      out.placeholders.push(span.expression.getText());
      if (/\bcamera $/i.test(before)) out.afterCamera.push(span.expression.getText());
      collectNested(span.expression, out);
      before = span.literal.text;
      out.texts.push(before);
    }
  } else if (ts.isConditionalExpression(node)) {
    collectMessage(node.whenTrue, out);
    collectMessage(node.whenFalse, out);
  } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    collectMessage(node.left, out);
    collectMessage(node.right, out);
  } else if (ts.isParenthesizedExpression(node)) {
    collectMessage(node.expression, out);
  } else {
    out.placeholders.push(node.getText());
  }
}

/** Templates inside a placeholder (`${x ? ` (…)` : ''}`) are message text too. */
function collectNested(node: ts.Node, out: { texts: string[]; placeholders: string[]; afterCamera: string[] }): void {
  if (ts.isConditionalExpression(node)) {
    for (const branch of [node.whenTrue, node.whenFalse]) if (isStringy(branch)) collectMessage(branch, out);
  } else if (ts.isParenthesizedExpression(node)) collectNested(node.expression, out);
}

function describeCall(call: ts.CallExpression, via: LogCall['via'], method: string, file: string, sourceFile: ts.SourceFile): LogCall {
  // Logger: ([fields,] message). RateLimitedLog: (key, fields, message), log(level, key, fields, message).
  const args = via === 'logger' ? [...call.arguments] : [...call.arguments].slice(method === 'log' ? 2 : 1);
  let fields: string[] | undefined;
  let cameraField: string | undefined;
  const first = args[0];
  if (first && ts.isObjectLiteralExpression(first)) {
    const found = fieldNames(first);
    fields = found.names;
    cameraField = found.camera;
  }
  const out = { texts: [] as string[], placeholders: [] as string[], afterCamera: [] as string[] };
  const message =
    args.find((arg) => isStringy(arg)) ??
    (args.length > 1 ? args[1] : args[0] && !ts.isObjectLiteralExpression(args[0]) ? args[0] : undefined);
  if (message) collectMessage(message, out);
  const line = sourceFile.getLineAndCharacterOfPosition(call.getStart(sourceFile)).line + 1;
  return { file, line, via, fields, cameraField, ...out };
}

/** Every log call and child logger in `files` (absolute paths), relative to `root` in the results. */
export function scanLogCalls(files: readonly string[], root: string): ScanResult {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const calls: LogCall[] = [];
  const children: ChildCall[] = [];
  for (const file of files) {
    const sourceFile = program.getSourceFile(file);
    if (!sourceFile) throw new Error(`not in the program: ${file}`);
    const relative = path.relative(root, file);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const receiver = checker.getTypeAtLocation(node.expression.expression);
        if (LOG_METHODS.has(method)) {
          if (isLogger(receiver)) calls.push(describeCall(node, 'logger', method, relative, sourceFile));
          else if (isRateLimitedLog(receiver)) calls.push(describeCall(node, 'rate-limited', method, relative, sourceFile));
        } else if (method === 'child' && isLogger(receiver)) {
          const bindings = node.arguments[0];
          if (bindings && ts.isObjectLiteralExpression(bindings)) {
            const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
            children.push({ file: relative, line, fields: fieldNames(bindings).names });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return { calls, children };
}

/** Where each call is, for messages. */
export const where = (call: { file: string; line: number }): string => `${call.file}:${call.line}`;

/** The wordings a count of held-back lines had before there was one helper. */
export const OLD_COUNT_WORDINGS =
  /more like it|since the last (such )?line|in the last minute|similar since|more (switches|refused|failures)\b/;

/**
 * What the logging convention forbids in these calls: the camera id in a `cameraId` field, the id
 * in the text of a line that carries it as `camera` (or `camera ${…}` in any text: the id belongs
 * in the field), and a `suppressed` count made by hand instead of by RateLimitedLog.
 */
export function conventionProblems(scan: ScanResult): string[] {
  const problems: string[] = [];
  for (const call of scan.calls) {
    if (call.fields?.includes('cameraId')) problems.push(`${where(call)}: log field cameraId (the camera id is the field \`camera\`)`);
    if (call.fields?.includes('suppressed'))
      problems.push(`${where(call)}: a hand-made suppressed count (use RateLimitedLog from util/rate-limited-log.ts)`);
    for (const placeholder of call.afterCamera)
      problems.push(
        `${where(call)}: "camera \${${placeholder}}" in the message (the id goes in the \`camera\` field or a camera's child logger)`,
      );
    if (call.cameraField !== undefined && call.placeholders.includes(call.cameraField))
      problems.push(`${where(call)}: the message repeats the camera field (\${${call.cameraField}})`);
    if (call.texts.some((text) => OLD_COUNT_WORDINGS.test(text)))
      problems.push(`${where(call)}: a count of held-back lines worded by hand (RateLimitedLog words it)`);
  }
  for (const child of scan.children) {
    if (child.fields.includes('cameraId')) problems.push(`${where(child)}: child logger bound to cameraId (use \`camera\`)`);
  }
  return problems;
}
