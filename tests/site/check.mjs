// Loads the site written by `pitfall docs` in headless Chromium and checks it the way a
// reader uses it: every rule page renders with highlighted examples, every internal link
// (and #anchor) resolves, and the index's search box filters the rules.
//
// Usage: node check.mjs SITE_DIR ARTIFACT_DIR
// Prints one line per check and a closing "N passed, N failed"; exits 1 on a failure.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [siteDir, artifactDir] = process.argv.slice(2).map((p) => path.resolve(p));
if (!siteDir || !artifactDir) {
  console.error("usage: node check.mjs SITE_DIR ARTIFACT_DIR");
  process.exit(2);
}
fs.mkdirSync(artifactDir, { recursive: true });

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) {
    passed += 1;
    console.log(`ok   ${what}`);
  } else {
    failed += 1;
    console.log(`FAIL ${what}`);
  }
}

// Playwright gives every launch a fresh, empty profile directory of its own.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("requestfailed", (request) => errors.push(`request failed: ${request.url()}`));

  // The index: every rule listed, grouped by topic.
  const indexUrl = pathToFileURL(path.join(siteDir, "index.html")).href;
  await page.goto(indexUrl);
  const rulePages = fs.readdirSync(path.join(siteDir, "rules")).filter((f) => f.endsWith(".html"));
  const rows = await page.locator("tr.rule").count();
  check(rulePages.length > 0 && rows === rulePages.length,
    `index lists every rule page (${rows} rows, ${rulePages.length} pages)`);
  check((await page.locator("section.topic h2").count()) >= 5, "index groups rules by topic");
  await page.screenshot({ path: path.join(artifactDir, "index.png"), fullPage: false });

  // The search box.
  const visible = () => page.locator("tr.rule:visible").count();
  await page.fill("#search", "closure");
  const closureRows = await visible();
  const closureNames = await page.locator("tr.rule:visible a").allTextContents();
  check(closureRows > 0 && closureRows < rows && closureNames.includes("late-binding-closure"),
    `search "closure" narrows the index (${closureRows} rows: ${closureNames.join(", ")})`);
  await page.fill("#search", "b006");
  const b006 = await page.locator("tr.rule:visible a").allTextContents();
  check(b006.length === 1 && b006[0] === "mutable-default-arg",
    `search by another linter's code finds the rule (${b006.join(", ")})`);
  await page.fill("#search", "no such pitfall anywhere");
  check((await visible()) === 0 && (await page.locator("#no-match").isVisible())
    && (await page.locator("section.topic:visible").count()) === 0,
    "a search without matches hides every topic and says so");
  await page.fill("#search", "");
  check((await visible()) === rows, "clearing the search shows every rule again");

  // Every page: renders, highlighted examples, and its links resolve.
  const pages = [indexUrl, ...rulePages.map((f) => pathToFileURL(path.join(siteDir, "rules", f)).href)];
  let badRender = [];
  let badLinks = [];
  let internal = 0;
  for (const url of pages) {
    await page.goto(url);
    if (url !== indexUrl) {
      const name = path.basename(fileURLToPath(url), ".html");
      const h1 = (await page.locator("h1").first().textContent()) || "";
      const title = await page.title();
      const highlighted = await page.locator("pre.code span.source").count();
      const tokens = await page.locator("pre.code span.keyword, pre.code span.storage, pre.code span.string, pre.code span.constant").count();
      const tryIt = await page.locator("#try-it").count();
      if (!h1.includes(name) || !title.includes(name) || highlighted < 2 || tokens === 0 || tryIt !== 1) {
        badRender.push(`${name} (h1 "${h1}", ${highlighted} code blocks, ${tokens} tokens, try-it ${tryIt})`);
      }
    }
    const hrefs = await page.locator("a[href]").evaluateAll((links) => links.map((a) => a.href));
    for (const href of hrefs) {
      if (!href.startsWith("file:")) { continue; }
      internal += 1;
      const target = new URL(href);
      const file = fileURLToPath(target);
      if (!fs.existsSync(file)) {
        badLinks.push(`${url} -> ${href}`);
        continue;
      }
      const id = decodeURIComponent(target.hash.slice(1));
      if (id && !fs.readFileSync(file, "utf8").includes(`id="${id}"`)) {
        badLinks.push(`${url} -> ${href} (no #${id})`);
      }
    }
  }
  check(badRender.length === 0, `every rule page renders with title and highlighted examples ${badRender.join("; ")}`);
  check(internal > pages.length && badLinks.length === 0,
    `every internal link resolves (${internal} links) ${badLinks.join("; ")}`);

  await page.goto(pathToFileURL(path.join(siteDir, "rules", "late-binding-closure.html")).href);
  await page.screenshot({ path: path.join(artifactDir, "rule-late-binding-closure.png"), fullPage: true });
  check(errors.length === 0, `no script errors or failed requests ${errors.join("; ")}`);
} finally {
  await browser.close();
}

console.log(`site: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
