import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { forEachLine } from "../source.ts";
import type { ReportBuilder } from "../report.ts";
import type { DataSpec } from "../spec.ts";
import type { ItemMeta } from "../types.ts";
import { detach } from "../id-space.ts";

/** The 19 genres of MovieLens 100k, in flag order (used when no u.genre is found). */
export const MOVIELENS_GENRES = [
  "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
  "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
];

/** u.genre (`name|index`) next to u.item, plain or gzipped. */
function findGenreFile(itemFile: string, spec: DataSpec): string | undefined {
  if (spec.genres) return spec.genres;
  for (const name of ["u.genre", "u.genre.gz"]) {
    const p = join(dirname(itemFile), name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

async function readGenreNames(file: string): Promise<string[]> {
  const names: string[] = [];
  await forEachLine(file, {
    line(text) {
      const [name, idx] = text.split("|");
      const k = Number(idx);
      if (name && Number.isInteger(k) && k >= 0 && k < 100) names[k] = name;
    },
    bad() {},
  }, { encoding: "auto" });
  return names;
}

/**
 * MovieLens u.item: `id|title|release date|video release date|IMDb URL|` + 19 genre
 * flags (the flagged genres become categories), or 1M/10M movies.dat `id::title::A|B`. ISO-8859-1 by default ("auto" also
 * accepts copies re-encoded to UTF-8).
 */
export async function readMovieLensItems(file: string, spec: DataSpec, report: ReportBuilder, progress?: boolean): Promise<Map<string, ItemMeta>> {
  const genreFile = findGenreFile(file, spec);
  const fromFile = genreFile ? await readGenreNames(genreFile) : [];
  const genres = MOVIELENS_GENRES.map((g, k) => fromFile[k] ?? g);
  const out = new Map<string, ItemMeta>();
  await forEachLine(
    file,
    {
      line(text, lineNo) {
        report.rowsRead++;
        if (text.includes("::")) {
          // MovieLens 1M/10M movies.dat: id::title::Genre|Genre
          const [rawId, title, genreList] = text.split("::");
          const mid = rawId?.trim();
          if (!mid || title === undefined) {
            report.reject(lineNo, "expected id::title::genres");
            return;
          }
          if (out.has(mid)) {
            report.duplicatesMerged++;
            return;
          }
          const meta: ItemMeta = { id: detach(mid) };
          if (title.trim()) meta.title = detach(title.trim());
          const cats = (genreList ?? "").split("|").map((g) => g.trim()).filter((g) => g && g !== "(no genres listed)");
          if (cats.length > 0) meta.categories = cats;
          out.set(mid, meta);
          report.accepted++;
          return;
        }
        const f = text.split("|");
        if (f.length < 6) {
          report.reject(lineNo, `expected id|title|release|video release|url|19 genre flags, found ${f.length} fields`);
          return;
        }
        const id = f[0].trim();
        if (!id) {
          report.reject(lineNo, "empty movie id");
          return;
        }
        if (out.has(id)) {
          report.duplicatesMerged++;
          return;
        }
        const meta: ItemMeta = { id: detach(id) };
        const title = f[1].trim();
        if (title) meta.title = detach(title);
        const url = f[4]?.trim();
        if (url) meta.url = detach(url);
        const flags = f.slice(-19);
        const cats: string[] = [];
        flags.forEach((v, k) => {
          if (v.trim() === "1") cats.push(genres[k]);
        });
        if (f.length < 24) report.fieldProblem(lineNo, `expected 19 genre flags, found ${Math.max(0, f.length - 5)}`);
        else if (cats.length > 0) meta.categories = cats;
        out.set(id, meta);
        report.accepted++;
      },
      bad(lineNo, reason) {
        report.rowsRead++;
        report.reject(lineNo, reason);
      },
    },
    { encoding: spec.encoding === "utf8" ? "utf8" : spec.encoding === "latin1" ? "latin1" : "auto", progress, maxLineBytes: spec.maxLineBytes },
  );
  return out;
}
