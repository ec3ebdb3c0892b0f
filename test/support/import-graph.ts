/**
 * The repository's import graph as the TypeScript compiler sees it: every module specifier of
 * every file in the given tsconfig projects (static imports, `import type`, `export … from`,
 * `import()` calls and `import("…")` types), with relative ones resolved to files. Used by the
 * house-rule checks in test/ops/house.test.ts.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { API } from "typescript/unstable/sync";

export interface ImportGraph {
  /** Repository-relative file → the specifiers it imports, as written. */
  specifiers: Map<string, string[]>;
  /** Repository-relative file → the repository files its relative specifiers resolve to. */
  edges: Map<string, Set<string>>;
}

/** Parses every file of the given tsconfig projects (paths relative to `root`) with the compiler. */
export function readImportGraph(root: string, tsconfigs: string[]): ImportGraph {
  const api = new API({ cwd: root });
  const specifiers = new Map<string, string[]>();
  try {
    const snapshot = api.updateSnapshot({ openProjects: tsconfigs.map((c) => resolve(root, c)) });
    for (const project of snapshot.getProjects()) {
      for (const fileName of project.program.getSourceFileNames()) {
        const file = toRepoPath(root, fileName);
        if (file === undefined || specifiers.has(file)) continue;
        const source = project.program.getSourceFile(fileName);
        if (!source) continue;
        specifiers.set(
          file,
          source.imports.map((node) => (node as unknown as { text: string }).text),
        );
      }
    }
  } finally {
    api.close();
  }
  const edges = new Map<string, Set<string>>();
  for (const [file, specs] of specifiers) {
    const targets = new Set<string>();
    for (const spec of specs) {
      const target = resolveRelative(root, file, spec);
      if (target !== undefined) targets.add(target);
    }
    edges.set(file, targets);
  }
  return { specifiers, edges };
}

/** A relative specifier resolved the way the bundler and tsx do it: as written, .js → .ts, + .ts, /index.ts. */
export function resolveRelative(root: string, from: string, spec: string): string | undefined {
  if (!spec.startsWith("./") && !spec.startsWith("../")) return undefined;
  const base = join(dirname(join(root, from)), spec);
  for (const candidate of [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return toRepoPath(root, candidate);
  }
  return undefined;
}

/** Every .ts file under `dir` (repository-relative), skipping node_modules and generated code. */
export function tsFilesUnder(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    if (!existsSync(abs)) return;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "generated") continue;
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) out.push(toRepoPath(root, path)!);
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/** Import circles (strongly connected components of more than one file, or a file importing itself) among `files`. */
export function importCircles(edges: Map<string, Set<string>>, files: Iterable<string>): string[][] {
  const within = new Set(files);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  // Iterative Tarjan: the graph is deep enough (a few hundred files) that recursion is fine, but a loop never overflows.
  for (const start of within) {
    if (index.has(start)) continue;
    const work: { node: string; targets: string[]; at: number }[] = [];
    const enter = (node: string) => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, targets: [...(edges.get(node) ?? [])].filter((t) => within.has(t)), at: 0 });
    };
    enter(start);
    while (work.length) {
      const frame = work[work.length - 1];
      if (frame.at < frame.targets.length) {
        const target = frame.targets[frame.at++];
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfImport = component.length === 1 && edges.get(frame.node)?.has(frame.node);
        if (component.length > 1 || selfImport) circles.push(component.sort());
      }
    }
  }
  return circles.sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * The graph between the folders directly under `dir` (a file right in `dir` is its own node):
 * folder → folder → the file imports that make the edge.
 */
export function folderGraph(edges: Map<string, Set<string>>, dir: string): Map<string, Map<string, string[]>> {
  const folderOf = (file: string) => {
    const parts = file.split("/");
    return parts.length > 2 ? `${parts[0]}/${parts[1]}/` : file;
  };
  const out = new Map<string, Map<string, string[]>>();
  for (const [file, targets] of edges) {
    if (!file.startsWith(`${dir}/`)) continue;
    for (const target of targets) {
      if (!target.startsWith(`${dir}/`)) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      const byTarget = out.get(from) ?? new Map<string, string[]>();
      byTarget.set(to, [...(byTarget.get(to) ?? []), `${file} -> ${target}`]);
      out.set(from, byTarget);
    }
  }
  return out;
}

function toRepoPath(root: string, abs: string): string | undefined {
  const rel = relative(root, abs);
  if (rel.startsWith("..") || rel.split(sep).includes("node_modules")) return undefined;
  return rel.split(sep).join("/");
}
