// PEP 503 HTML pages are read as pip reads them: each hostile page below goes through pip's own
// HTMLLinkParser (pip._internal.index.collector, on html.parser) and through depfence's parser,
// and the links must agree: same URLs, same requires-python, same yanked state. Where pip would
// silently drop the rest of a damaged page, depfence refuses the page (fail closed); where the two
// parsers differ on what is a tag, depfence may only see fewer links, never other ones.
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MalformedPageError } from '../../src/protocol/pypi/model.js';
import { parseHtmlProjectPage } from '../../src/protocol/pypi/parse-html.js';

const test = suite('protocol/pypi-html-as-pip');
const PAGE = 'https://index.example/simple/demo/';
const SHA = 'ab'.repeat(32);
const a = (file: string, attributes = '') => `<a href="${file}#sha256=${SHA}"${attributes}>${file}</a>`;

interface Link {
  url: string;
  requiresPython: string | null;
  yanked: boolean;
}

interface Case {
  html: string;
  expect: 'same' | 'refused' | 'fewer';
}

const CASES: Record<string, Case> = {
  'numeric entities in href (&#x2F; &#47;)': {
    html: `<a href="pkgs&#x2F;demo-1.0.tar.gz">demo-1.0.tar.gz</a><a href="pkgs&#47;demo-1.1.tar.gz">demo-1.1.tar.gz</a>`,
    expect: 'same',
  },
  'named entities beyond the six (&nbsp; &hellip; &rsquo;) in a yanked reason': {
    html: a('demo-1.0.tar.gz', ' data-yanked="broken&nbsp;build&hellip; don&rsquo;t use"'),
    expect: 'same',
  },
  'data-requires-python escaped once and twice (pip unescapes it again)': {
    html: a('demo-1.0.tar.gz', ' data-requires-python="&gt;=3.8"') + a('demo-1.1.tar.gz', ' data-requires-python="&amp;gt;=3.9,&amp;lt;4"'),
    expect: 'same',
  },
  'legacy entity without a semicolon in a query (&copy=)': {
    html: `<a href="demo-1.0.tar.gz?a=1&copy=2">demo-1.0.tar.gz</a>`,
    expect: 'same',
  },
  'unquoted attribute with &amp;': { html: `<a href=demo-1.0.tar.gz?a=1&amp;b=2>demo-1.0.tar.gz</a>`, expect: 'same' },
  'upper-case tags and attributes': { html: `<A HREF="demo-1.0.tar.gz" DATA-REQUIRES-PYTHON="&gt;=3">demo-1.0.tar.gz</A>`, expect: 'same' },
  'attributes without spaces between them, > inside a quoted value': {
    html: `<a data-requires-python=">=3.8"href='demo-1.0.tar.gz'>demo-1.0.tar.gz</a >`,
    expect: 'same',
  },
  'the same attribute twice: the last one counts': {
    html: `<a href="demo-1.0.tar.gz" href="demo-6.6.tar.gz">demo-6.6.tar.gz</a>`,
    expect: 'same',
  },
  'a yanked attribute without a value is not yanked; an empty one is': {
    html: a('demo-1.0.tar.gz', ' data-yanked') + a('demo-1.1.tar.gz', ' data-yanked=""'),
    expect: 'same',
  },
  'a comment hides an anchor': { html: `${a('demo-1.0.tar.gz')}<!-- ${a('evil-6.6.tar.gz')} -->`, expect: 'same' },
  '<!--> and <!---> end a comment for htmlparser2, not for html.parser': {
    html: `${a('demo-1.0.tar.gz')}<!--> ${a('evil-6.6.tar.gz')} -->`,
    expect: 'refused',
  },
  '"-- >" ends a comment for html.parser, not for htmlparser2': {
    html: `<!-- x -- > ${a('demo-1.0.tar.gz')} -->${a('demo-1.1.tar.gz')}`,
    expect: 'fewer',
  },
  '"--!>" ends a comment for neither': { html: `<!-- x --!> ${a('evil-6.6.tar.gz')} -->${a('demo-1.1.tar.gz')}`, expect: 'same' },
  'CDATA hides an anchor': { html: `${a('demo-1.0.tar.gz')}<![CDATA[ ${a('evil-6.6.tar.gz')} ]]>`, expect: 'same' },
  'script and style content hide anchors': {
    html: `<script>document.write('${a('evil-6.6.tar.gz')}')</script><style>/* ${a('evil-6.7.tar.gz')} */</style>${a('demo-1.0.tar.gz')}`,
    expect: 'same',
  },
  'doctype, processing instruction and an unknown tag': {
    html: `<!DOCTYPE html><?xml version="1.0"?><blink>${a('demo-1.0.tar.gz')}</blink>`,
    expect: 'same',
  },
  'a <base> after the anchors still moves them (pip keeps the first <base> anywhere)': {
    html: `${a('demo-1.0.tar.gz')}<base href="https://files.example/p/"><base href="https://other.example/">`,
    expect: 'same',
  },
  'anchors inside noscript and template elements': {
    html: `<noscript>${a('demo-1.0.tar.gz')}</noscript><template>${a('demo-1.1.tar.gz')}</template>`,
    expect: 'same',
  },
  'an anchor inside <title> or <textarea> (tags to html.parser, text to htmlparser2)': {
    html: `<title>${a('demo-1.0.tar.gz')}</title><textarea>${a('demo-1.1.tar.gz')}</textarea>${a('demo-1.2.tar.gz')}`,
    expect: 'fewer',
  },
  'a <base> inside a comment is hidden': { html: `<!-- <base href="https://evil.example/"> -->${a('demo-1.0.tar.gz')}`, expect: 'same' },
  'upper-case </SCRIPT > ends a script': {
    html: `<SCRIPT>var x = '${a('evil-6.6.tar.gz')}';</SCRIPT >${a('demo-1.0.tar.gz')}`,
    expect: 'same',
  },
  'anchors inside svg': { html: `<svg><a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a></svg>`, expect: 'same' },
  'a self-closed <a/> is still open in HTML': { html: `<a href="demo-1.0.tar.gz"/>${a('demo-1.1.tar.gz')}`, expect: 'refused' },
  'a comment never closed': { html: `${a('demo-1.0.tar.gz')}<!-- ${a('evil-6.6.tar.gz')}`, expect: 'refused' },
  'a CDATA section never closed': { html: `${a('demo-1.0.tar.gz')}<![CDATA[ ${a('evil-6.6.tar.gz')}`, expect: 'refused' },
  'a <script> never closed': { html: `${a('demo-1.0.tar.gz')}<script>${a('evil-6.6.tar.gz')}`, expect: 'refused' },
  'the page ends inside a tag': { html: `${a('demo-1.0.tar.gz')}<a href="evil-6.6.tar.gz`, expect: 'refused' },
  'a declaration never closed': { html: `${a('demo-1.0.tar.gz')}<!DOCTYPE html`, expect: 'refused' },
  'end tags nothing opened, last in the page': { html: `${a('demo-1.0.tar.gz')}</div ></body></html>`, expect: 'same' },
  'a < in text at the end': { html: `${a('demo-1.0.tar.gz')} 1 < 2`, expect: 'same' },
  'an <a> never closed': { html: `<a href="demo-1.0.tar.gz">demo-1.0.tar.gz`, expect: 'refused' },
  'an <a> closed only by an enclosing end tag': {
    html: `<div><a href="demo-1.0.tar.gz">demo-1.0.tar.gz</div>${a('demo-1.1.tar.gz')}`,
    expect: 'refused',
  },
  'a NUL character': { html: `${a('demo-1.0.tar.gz')}\0`, expect: 'refused' },
};

/** pip's reading of each page: its own HTMLLinkParser, then Link.from_element's rules. */
const PIP_SCRIPT = `
import html, json, sys, urllib.parse
from pip._internal.index.collector import HTMLLinkParser
out = []
for page in json.load(sys.stdin):
    parser = HTMLLinkParser(page["url"])
    parser.feed(page["html"])
    base = parser.base_url or page["url"]
    links = []
    for anchor in parser.anchors:
        href = anchor.get("href")
        if not href:
            continue
        url = urllib.parse.urldefrag(urllib.parse.urljoin(base, href))[0]
        rp = anchor.get("data-requires-python")
        links.append({"url": url, "requiresPython": html.unescape(rp) if rp else None, "yanked": anchor.get("data-yanked") is not None})
    out.append(links)
print(json.dumps(out))
`;

function pipLinks(pages: string[]): Link[][] | string {
  const run = spawnSync('python3', ['-c', PIP_SCRIPT], {
    input: JSON.stringify(pages.map((html) => ({ url: PAGE, html }))),
    encoding: 'utf8',
    env: { ...process.env, PIP_CONFIG_FILE: '/dev/null' },
  });
  if (run.error || run.status !== 0)
    return `python3 with pip's HTMLLinkParser is not available (${run.error?.message ?? run.stderr.trim().split('\n').pop()})`;
  return (JSON.parse(run.stdout) as Link[][]).map((links) => links.map((link) => ({ ...link, url: new URL(link.url).href })));
}

function ourLinks(html: string): Link[] {
  return parseHtmlProjectPage(html, PAGE, 'demo')
    .files.filter((file) => file.unreadable === undefined)
    .map((file) => ({ url: file.url, requiresPython: file.requiresPython, yanked: file.yanked !== false }));
}

const names = Object.keys(CASES);
const pip = pipLinks(names.map((name) => CASES[name]!.html));

test('hostile pages: depfence sees the links pip sees, refuses what pip would silently cut short', () => {
  if (typeof pip === 'string') {
    console.log(`  skipped: ${pip}`);
    return;
  }
  names.forEach((name, index) => {
    const { html, expect } = CASES[name]!;
    const theirs = pip[index]!;
    if (expect === 'refused') {
      assert.throws(
        () => parseHtmlProjectPage(html, PAGE, 'demo'),
        (error: unknown) => error instanceof MalformedPageError,
        name,
      );
      return;
    }
    let ours: Link[];
    try {
      ours = ourLinks(html);
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`);
    }
    if (expect === 'same') assert.equal(ours, theirs, name);
    else {
      assert.ok(ours.length < theirs.length, `${name}: fewer links than pip`);
      for (const link of ours)
        assert.ok(
          theirs.some((their) => JSON.stringify(their) === JSON.stringify(link)),
          `${name}: ${link.url} is one pip sees too`,
        );
    }
  });
});

test('full entity decoding, where the old six-entity decoder read other values (no Python needed)', () => {
  const page = parseHtmlProjectPage(
    `<a href="pkgs&#x2F;demo-1.0.tar.gz" data-yanked="bad&hellip;" data-requires-python="&amp;gt;=3.8">demo-1.0.tar.gz</a>`,
    PAGE,
    'demo',
  );
  assert.equal(
    page.files.map((file) => [file.url, file.yanked, file.requiresPython]),
    [[`${PAGE}pkgs/demo-1.0.tar.gz`, 'bad…', '>=3.8']],
    'before: yanked was "bad&hellip;" and requires-python "&gt;=3.8"',
  );
});

test.run();
