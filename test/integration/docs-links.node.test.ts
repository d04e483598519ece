/**
 * The documents point at each other by file, by heading anchor and, from code comments, by a
 * heading's quoted name (`docs/performance.md, "Live stream"`). Moving a section (the run
 * history went from performance.md to performance-history.md) must not leave such a pointer
 * dangling: every relative link in README.md and docs/ names a file that exists and, with a
 * `#fragment`, a heading GitHub would give that anchor; every quoted heading names one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCS = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter(
  (f) => f.endsWith('.md'),
);

type Node = { type: string; url?: string; value?: string; depth?: number; children?: Node[] };

function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const child of node.children ?? []) walk(child, visit);
}

function plainText(node: Node): string {
  if (typeof node.value === 'string') return node.value;
  return (node.children ?? []).map(plainText).join('');
}

function parse(file: string): Node {
  return fromMarkdown(readFileSync(path.join(ROOT, file), 'utf8')) as Node;
}

/** Headings of a markdown file: their text and the anchors GitHub gives them. */
function headings(file: string): { titles: string[]; anchors: Set<string> } {
  const slugger = new GithubSlugger();
  const titles: string[] = [];
  walk(parse(file), (n) => {
    if (n.type === 'heading') titles.push(plainText(n));
  });
  return { titles, anchors: new Set(titles.map((t) => slugger.slug(t))) };
}

/** Relative link targets (inline links and reference definitions) of a markdown file. */
function relativeLinks(file: string): string[] {
  const urls: string[] = [];
  walk(parse(file), (n) => {
    if ((n.type === 'link' || n.type === 'definition') && n.url) urls.push(n.url);
  });
  return urls.filter((u) => !/^[a-z][a-z0-9+.-]*:/i.test(u));
}

/** Problems with one link from `from` (a repo-relative path), or null when it resolves. */
function checkLink(from: string, url: string): string | null {
  const [target = '', fragment] = url.split('#');
  const file = target
    ? path.posix.normalize(path.posix.join(path.posix.dirname(from), target))
    : from;
  if (!existsSync(path.join(ROOT, file))) return `${from}: ${url}: no file ${file}`;
  if (fragment === undefined || !file.endsWith('.md')) return null;
  return headings(file).anchors.has(decodeURIComponent(fragment))
    ? null
    : `${from}: ${url}: no heading with the anchor #${fragment} in ${file}`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (name === 'node_modules') return [];
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|mjs|md)$/.test(name) ? [rel] : [];
  });
}

describe('links between the documents', () => {
  it('the checks catch a missing file and a missing anchor', () => {
    expect(checkLink('docs/performance.md', 'no-such-file.md')).toMatch(/no file/);
    expect(checkLink('docs/performance.md', 'performance-history.md#no-such-heading')).toMatch(
      /no heading/,
    );
    expect(checkLink('docs/performance.md', '#method')).toBeNull();
  });

  it.each(DOCS)('%s: every relative link names a file and a heading that exist', (file) => {
    const broken = relativeLinks(file)
      .map((url) => checkLink(file, url))
      .filter((p): p is string => p !== null);
    expect(broken).toEqual([]);
  });

  it("a heading quoted after a document's name in code or docs is one of its headings", () => {
    const quote = /(docs\/[\w-]+\.md),\s*"([^"]+)"/g;
    const files = [
      'README.md',
      ...['src', 'scripts', 'durable-objects', 'docs', 'ops'].flatMap(sourceFiles),
    ];
    const broken: string[] = [];
    let quoted = 0;
    for (const file of files) {
      // A comment's quote may wrap onto its next line after the leading ` * ` or `// `.
      const text = readFileSync(path.join(ROOT, file), 'utf8').replace(
        /\n\s*(?:\*|\/\/)?\s*/g,
        ' ',
      );
      for (const [, doc = '', title = ''] of text.matchAll(quote)) {
        quoted++;
        if (!existsSync(path.join(ROOT, doc))) broken.push(`${file}: no ${doc}`);
        else if (!headings(doc).titles.some((t) => t.startsWith(title)))
          broken.push(`${file}: ${doc} has no heading "${title}…"`);
      }
    }
    expect(quoted).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });
});
