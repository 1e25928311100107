// Scan pages of a site with MDN HTTP Observatory's own retriever, tests and grader.
//
//   node observatory_scan.mjs PACKAGE_DIR HOST PATH...
//
// The package's scan() takes a host name only (it scans "/" on ports 80 and 443);
// retrieve() also takes a path. So each PATH is retrieved with the package's code and
// graded exactly as scan() grades (the lines marked "as scan()"), and scan() itself
// runs once on the host so the caller can check both agree on "/". Prints one JSON
// object: {pages: [{path, status, verified, grade, score, tests}], scan: {grade, score}}.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [packageDir, host, ...paths] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(packageDir, "src", file)).href);

const { retrieve } = await load("retriever/retriever.js");
const { ALL_TESTS } = await load("constants.js");
const { getGradeForScore, getScoreModifier } = await load("grader/grader.js");
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await load("grader/charts.js");
const { scan } = await load("scanner/index.js");

async function scanPage(pagePath) {
  const retrieved = await retrieve(host, { path: pagePath });
  const response = retrieved.responses.auto;
  if (!response) {
    throw new Error(`https://${host}${pagePath} did not answer`);
  }
  const results = ALL_TESTS.map((test) => test(retrieved));
  // as scan(): every modifier counts as extra credit, penalties also without it.
  let scoreWithExtraCredit = 100;
  let uncurvedScore = 100;
  const tests = {};
  for (const result of results) {
    const modifier = result.result ? getScoreModifier(result.result) : 0;
    scoreWithExtraCredit += modifier;
    if (modifier < 0) {
      uncurvedScore += modifier;
    }
    tests[result.constructor.name] = {
      result: result.result,
      pass: result.pass,
      scoreModifier: modifier,
    };
  }
  // as scan(): extra credit only when the uncurved score already earns an A.
  const final = getGradeForScore(
    uncurvedScore >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? scoreWithExtraCredit : uncurvedScore
  );
  return {
    path: pagePath,
    status: response.status,
    verified: response.verified,
    grade: final.grade,
    score: final.score,
    tests,
  };
}

const pages = [];
for (const pagePath of paths) {
  pages.push(await scanPage(pagePath));
}
const whole = await scan(host);
console.log(
  JSON.stringify({ pages, scan: { grade: whole.scan.grade, score: whole.scan.score } })
);
