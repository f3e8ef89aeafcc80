import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { hostRpc, startHost, type RunningHost } from './support/host';
import { signaturePng } from '../helpers/png';
import { documentJpeg } from '../helpers/jpeg';

// Every screen of every role, readable at 1366×768 (issue 16): a clerk (张敏), a supervisor (admin)
// and an assistant (陈静) each click every menu item and every tab inside it; on each screen the page
// is inspected in the browser (inspectScreen below) and photographed (test-results/e2e/…/<role>-<screen>.png).
//
// The rules, as checked in the page (only visible text, in the header and the content area):
//  1. Overflow: a table cell (td/th), or an element holding text directly that is not inline, whose
//     content is wider than its box (scrollWidth > clientWidth + 1, and the content's own extent, a Range
//     over it, reaches outside the box: not a decoration such as a fixed column's shadow). Allowed only as an intended
//     ellipsis: the overflowing element (or its cell) has `text-overflow: ellipsis` AND the full text
//     is reachable through a `title` attribute on it or an ancestor (antd's `ellipsis` table cells set
//     one; elsewhere the renderer sets it with a Tooltip). Scroll containers (overflow auto/scroll) are
//     not text and are not checked.
//  2. Words broken across lines: a text node whose whole text is 2–4 CJK characters (a name such as
//     王建华, a header such as 登记人, a tag such as 已受理), or a table cell whose whole text is at most
//     4 CJK characters, must render on one line (Range.getClientRects: one line top). In a table cell that
//     is a label, not prose (no ，。；：！？ in it), every run of 2–4 CJK characters standing between
//     non-CJK characters (工作日 in "20 个工作日") likewise. A text node that is one technical token (a
//     date 2026-12-06, a masked ID number, a case or item code: no spaces, at most 32 characters) likewise,
//     and in any table cell such a token within other text (办件 420325-ZWFW-20261206-DKCZ-0002).
//  3. No raw action key in visible text (/\b[a-z]+\.[a-z][A-Za-z]+\b/, e.g. scan.addPage), outside
//     <code>/<pre> and elements marked data-technical (the audit log's 技术详情). Input fields' values and
//     placeholders are not the screen's text for any rule. File names
//     (x.pdf, x.json …) are not action keys: the second part being a file extension is not counted.
//  4. No visible `Error:`.
//  5. No `#<digits>` entity reference (case#3, user#1).
//  6. Any uncaught page error or console error fails the test.
test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });

const PASSWORD = 'Desk@2026';
let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.kill();
  host = null;
});

type Cert = { certificateItemId: number; method: string; state: string; name: string };
type CaseView = { id: number; caseNo: string; certificates: Cert[] };
type Item = { id: number; name: string; certificates: { method: string }[]; bundles: unknown[] };

async function signInRpc(h: RunningHost, username: string): Promise<string> {
  return (await hostRpc<{ token: string }>(h, 'auth.signIn', { username, password: PASSWORD })).token;
}

/** A case for an applicant through the host's API: every certificate handled by its method, then accepted. */
async function acceptCase(h: RunningHost, token: string, applicantName: string, item: Item): Promise<CaseView> {
  const applicant = (await hostRpc<{ id: number; name: string }[]>(h, 'applicants.list', { query: applicantName, limit: 5 }, token)).find((a) => a.name === applicantName)!;
  let v = await hostRpc<CaseView>(h, 'intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, token);
  const sig = signaturePng(400, 150).toString('base64');
  const jpeg = documentJpeg(640, 480, { seed: 9, noise: 4 }).toString('base64');
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const cc = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'commitment') {
      await hostRpc(h, 'intake.recordChoice', { ...cc, choice: 'commit' }, token);
      v = await hostRpc<CaseView>(h, 'intake.signCommitment', { ...cc, signatureKind: 'screen', signaturePngBase64: sig }, token);
    } else if (c.method === 'data_sharing') v = await hostRpc<CaseView>(h, 'intake.queryDataSharing', cc, token);
    else if (c.method === 'dept_verification') v = await hostRpc<CaseView>(h, 'intake.requestAssistance', cc, token);
    else if (c.method === 'retained') v = await hostRpc<CaseView>(h, 'intake.addMaterial', { ...cc, title: `${c.name}（原件核对）`, pages: [{ mime: 'image/jpeg', base64: jpeg }] }, token);
  }
  return hostRpc<CaseView>(h, 'intake.transition', { caseId: v.id, to: 'accepted' }, token);
}

/** Realistic data so that no table is empty: cases (accepted with a commitment and a 协查, a bundle in progress), a verification task for 陈静, an outside credit record. */
async function seed(h: RunningHost): Promise<void> {
  const clerk = await signInRpc(h, 'zhangmin');
  const items = await hostRpc<Item[]>(h, 'catalog.listServiceItems', {}, clerk);
  const single = items.filter((i) => i.bundles.length === 0);
  const withCommitment = single.find((i) => i.certificates.some((c) => c.method === 'commitment'))!;
  const withAssistance = single.find((i) => i.certificates.some((c) => c.method === 'dept_verification'))!;
  await acceptCase(h, clerk, '王芳', withCommitment);
  await acceptCase(h, clerk, '王芳', withAssistance);
  // A 出生“一件事” bundle in progress: its long name in the case list.
  const bundle = (await hostRpc<{ code: string; items: { id: number }[] }[]>(h, 'catalog.bundles', {}, clerk))[0]!;
  const wangfang = (await hostRpc<{ id: number; name: string }[]>(h, 'applicants.list', { query: '王芳', limit: 5 }, clerk)).find((a) => a.name === '王芳')!;
  await hostRpc(h, 'intake.start', { applicantId: wangfang.id, serviceItemIds: bundle.items.map((i) => i.id), bundleCode: bundle.code }, clerk);

  const admin = await signInRpc(h, 'admin');
  const commitments = await hostRpc<{ commitmentId: number; openTask: boolean }[]>(h, 'verification.commitments', {}, admin);
  const free = commitments.find((c) => !c.openTask);
  if (free) await hostRpc(h, 'verification.open', { commitmentId: free.commitmentId, source: 'complaint', note: '群众来电反映承诺内容与实际不符' }, admin);
  const board = await hostRpc<{ tasks: { id: number }[]; assistants: { id: number; name: string }[] }>(h, 'verification.board', {}, admin);
  const chenjing = board.assistants.find((a) => a.name === '陈静')!;
  for (const t of board.tasks) await hostRpc(h, 'verification.assign', { taskId: t.id, userId: chenjing.id }, admin);
  const applicant = (await hostRpc<{ id: number; name: string }[]>(h, 'applicants.list', { query: '王芳', limit: 5 }, admin)).find((a) => a.name === '王芳')!;
  await hostRpc(h, 'credit.recordOutside', {
    applicantId: applicant.id,
    severity: '一般',
    source: '县市场监督管理局',
    documentNo: '房市监罚〔2026〕12号',
    decidedOn: '2026-11-20',
    reason: '提供虚假材料骗取营业执照登记，经调查属实，依法作出行政处罚并列入失信名单',
  }, admin);
}

interface Finding {
  rule: string;
  text: string;
  where: string;
}

/** Runs in the page: the six rules' in-page part (1–5) over the visible text of the header and content area. */
function inspectScreen(): Finding[] {
  const findings: Finding[] = [];
  const roots = Array.from(document.querySelectorAll<HTMLElement>('.desk-header, .desk-content, .ant-drawer-open, .ant-modal-wrap'));
  const CJK = /^[\u3400-\u9fff]{2,4}$/;
  const TOKEN = /^[0-9A-Za-z*][0-9A-Za-z*\-:/.]{3,31}$/;
  const TOKENS = /(?<![0-9A-Za-z*\-:/.])[0-9A-Za-z*][0-9A-Za-z*\-:/.]{3,31}(?![0-9A-Za-z*\-:/.])/g;
  const RUN = /(?<![\u3400-\u9fff])[\u3400-\u9fff]{2,4}(?![\u3400-\u9fff])/g;
  const ACTION = /\b([a-z]+)\.([a-z][A-Za-z]+)\b/g;
  const FILE_EXT = /^(pdf|json|png|jpe?g|xlsx?|csv|zip|cjs|js|txt|html?|gov|cn|com|org|net|local)$/;
  const describe = (el: Element): string => {
    const parts: string[] = [];
    let e: Element | null = el;
    for (let i = 0; e && i < 4; i++, e = e.parentElement) {
      const tid = e.getAttribute('data-testid');
      parts.push(tid ? `[${tid}]` : `${e.tagName.toLowerCase()}${e.classList[0] ? '.' + e.classList[0] : ''}`);
    }
    return parts.join(' < ');
  };
  const visible = (el: Element): boolean => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.opacity !== '0';
  };
  // What a person types is not the screen's text (rules 1–5); a technical value shown as such (a <code>, the
  // audit log's 技术详情) may hold a raw key (rule 3), but must still fit its box (rules 1–2).
  const editable = (el: Element | null): boolean => !!el?.closest('textarea, input, .ant-select-selection-search');
  const technical = (el: Element | null): boolean => !!el?.closest('pre, code, [data-technical]');
  const lineTops = (node: Node, start = 0, end = (node.textContent ?? '').length): number => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    const tops = new Set<number>();
    for (const r of Array.from(range.getClientRects())) if (r.width > 0.5) tops.add(Math.round(r.top));
    return tops.size;
  };
  const hasTitle = (el: Element): boolean => {
    for (let e: Element | null = el; e && !e.matches('tr, .ant-card, body'); e = e.parentElement) if (e.getAttribute('title')) return true;
    return false;
  };
  // The content itself reaches outside the box (scrollWidth alone also counts decorations such as the
  // shadow a fixed table column draws beside itself).
  const textOutside = (el: HTMLElement): boolean => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const r = range.getBoundingClientRect();
    const left = el.getBoundingClientRect().left + el.clientLeft;
    return r.width > 0 && (r.right > left + el.clientWidth + 1 || r.left < left - 1);
  };
  const intendedEllipsis = (el: Element): boolean => {
    const chain = [el, ...Array.from(el.querySelectorAll('*'))];
    return chain.some((e) => getComputedStyle(e).textOverflow === 'ellipsis') && hasTitle(el);
  };

  for (const root of roots) {
    if (!visible(root)) continue;
    // Rule 1: overflow of cells and of non-inline text holders.
    for (const el of Array.from(root.querySelectorAll<HTMLElement>('*'))) {
      if (!visible(el) || editable(el)) continue;
      const cs = getComputedStyle(el);
      if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') continue;
      const isCell = el.matches('td, th');
      const holdsText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      if (!isCell && !(holdsText && cs.display !== 'inline')) continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && textOutside(el) && !intendedEllipsis(el)) {
        findings.push({ rule: 'overflow', text: el.innerText.trim().slice(0, 60), where: describe(el) });
      }
    }
    // Rule 2: short words and tokens on one line.
    for (const cell of Array.from(root.querySelectorAll<HTMLElement>('td, th'))) {
      if (!visible(cell)) continue;
      const text = cell.innerText.replace(/\s+/g, '');
      if (!CJK.test(text)) continue;
      const tops = new Set<number>();
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of Array.from(range.getClientRects())) if (r.width > 0.5) tops.add(Math.round(r.top / 4));
      }
      if (tops.size > 1) findings.push({ rule: 'wrapped-cell', text, where: describe(cell) });
    }
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || !visible(parent) || editable(parent)) continue;
      const raw = n.textContent ?? '';
      const text = raw.trim();
      if (text === '') continue;
      if ((CJK.test(text) || TOKEN.test(text)) && lineTops(n, raw.indexOf(text), raw.indexOf(text) + text.length) > 1) {
        findings.push({ rule: 'wrapped-word', text, where: describe(parent) });
      } else if (parent.closest('td, th')) {
        const prose = /[，。；：！？]/.test(parent.closest('td, th')!.textContent ?? '');
        for (const m of [...(prose ? [] : raw.matchAll(RUN)), ...raw.matchAll(TOKENS)]) {
          if (lineTops(n, m.index!, m.index! + m[0].length) > 1) findings.push({ rule: 'wrapped-word', text: `${m[0]} in "${text.slice(0, 40)}"`, where: describe(parent) });
        }
      }
      // Rules 3–5: what a person must never read.
      for (const m of technical(parent) ? [] : text.matchAll(ACTION)) {
        if (!FILE_EXT.test(m[2]!)) findings.push({ rule: 'action-key', text: m[0], where: describe(parent) });
      }
      if (/Error:/.test(text)) findings.push({ rule: 'error-prefix', text: text.slice(0, 80), where: describe(parent) });
      if (/#\d+/.test(text)) findings.push({ rule: 'entity-ref', text: text.slice(0, 80), where: describe(parent) });
    }
  }
  return findings;
}

/** Until no spinner turns and the network has settled: a screen is inspected as the person sees it. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expect(page.locator('.desk-content .ant-spin-spinning')).toHaveCount(0, { timeout: 15_000 });
}

const slug = (s: string) => s.replace(/[\s/\\:*?"<>|（）()]+/g, '_').replace(/_+$/, '');

async function walkRole(page: Page, info: TestInfo, role: string, username: string, found: string[]): Promise<number> {
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill(PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  const menu = page.locator('.ant-layout-sider .ant-menu-item');
  const labels = (await menu.allInnerTexts()).map((t) => t.trim());
  expect(labels.length).toBeGreaterThan(5);
  let screens = 0;
  const check = async (name: string) => {
    await settle(page);
    screens++;
    await page.screenshot({ path: info.outputPath(`${role}-${slug(name)}.png`) });
    for (const f of await page.evaluate(inspectScreen)) found.push(`${role} › ${name}: ${f.rule} "${f.text}" at ${f.where}`);
  };
  for (const label of labels) {
    await menu.filter({ hasText: label }).click();
    await check(label);
    // Every tab inside the page (and tabs that appear inside a tab), each once.
    const seen = new Set<string>();
    for (let round = 0; round < 30; round++) {
      const tabs = page.locator('.desk-content .ant-tabs-tab:visible');
      const names = (await tabs.allInnerTexts()).map((t) => t.trim());
      const next = names.findIndex((n) => !seen.has(n));
      if (next < 0) break;
      seen.add(names[next]!);
      const tab = tabs.nth(next);
      if ((await tab.getAttribute('class'))?.includes('ant-tabs-tab-disabled')) continue;
      if (!(await tab.getAttribute('class'))?.includes('ant-tabs-tab-active')) {
        await tab.click();
        await check(`${label}-${names[next]}`);
      }
    }
  }
  await page.getByTestId('current-user').hover();
  await page.getByRole('menuitem', { name: '退出登录' }).click();
  await expect(page.getByPlaceholder('用户名')).toBeVisible();
  return screens;
}

test('every screen of every role at 1366×768: nothing overflows, no short word broken, nothing raw, no page error', async ({ page }, info) => {
  test.setTimeout(240_000);
  host = await startHost();
  await seed(host);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(host.url);
  const found: string[] = [];
  const counts: Record<string, number> = {};
  for (const [role, username] of [
    ['clerk', 'zhangmin'],
    ['supervisor', 'admin'],
    ['assistant', 'chenjing'],
  ] as const) {
    counts[role] = await walkRole(page, info, role, username, found);
  }
  console.log(`screens walked: ${JSON.stringify(counts)}`);
  // Every menu item at least (clerk 11, supervisor 15, assistant 8), plus their tabs.
  expect(counts.clerk).toBeGreaterThanOrEqual(11);
  expect(counts.supervisor).toBeGreaterThanOrEqual(15);
  expect(counts.assistant).toBeGreaterThanOrEqual(8);
  expect([...new Set(found)]).toEqual([]);
  expect(errors).toEqual([]);
});

// The checks themselves can fail: a page made of exactly the faults they look for is reported fault by
// fault, and the same page made right is not (the intended ellipsis with its title stays allowed).
test('the screen checks find each fault they look for', async ({ page }) => {
  const faulty = `
    <div class="desk-content" style="width: 900px">
      <table><thead><tr><th style="width: 20px; padding: 0">登记人</th></tr></thead></table>
      <table><tbody><tr><td style="width: 30px; padding: 0">王建华</td></tr></tbody></table>
      <table><tbody><tr><td style="width: 42px; padding: 0">20 个工作日</td></tr></tbody></table>
      <table><tbody><tr><td style="width: 60px; padding: 0"><span>2026-12-06</span></td></tr></tbody></table>
      <table><tbody><tr><td style="width: 150px; padding: 0">办件 420325-ZWFW-20261206-DKCZ-0002</td></tr></tbody></table>
      <div style="width: 80px; white-space: nowrap; overflow: hidden">420325-ZWFW-20261206-DKCZ-0002</div>
      <p>操作 scan.addPage 已记录</p><p>Error: 未配置数据共享平台地址</p><p>对象 case#3</p>
      <p>已保存为 receipt.pdf</p>
      <div data-technical><code>sync.enqueue</code></div>
      <table style="table-layout: fixed; width: 80px"><tbody><tr><td title="湖北省一体化政务服务平台（办件汇聚）" style="white-space: nowrap; overflow: hidden; text-overflow: ellipsis">湖北省一体化政务服务平台（办件汇聚）</td></tr></tbody></table>
    </div>`;
  await page.setContent(`<html><body style="font: 14px sans-serif">${faulty}</body></html>`);
  const found = (await page.evaluate(inspectScreen)).map((f) => `${f.rule}: ${f.text}`);
  expect(found.sort()).toEqual(
    [
      'action-key: scan.addPage',
      'entity-ref: 对象 case#3',
      'error-prefix: Error: 未配置数据共享平台地址',
      'overflow: 420325-ZWFW-20261206-DKCZ-0002',
      'wrapped-cell: 登记人',
      'wrapped-cell: 王建华',
      'wrapped-word: 2026-12-06',
      'wrapped-word: 420325-ZWFW-20261206-DKCZ-0002 in "办件 420325-ZWFW-20261206-DKCZ-0002"',
      'wrapped-word: 个工作日 in "20 个工作日"',
      'wrapped-word: 王建华',
      'wrapped-word: 登记人',
    ].sort(),
  );
  const right = faulty.replace(/width: (20|30|42|60|80|150)px; (padding: 0|white-space)/g, 'white-space: nowrap; $2').replace(/scan\.addPage|Error: |case#3/g, '');
  await page.setContent(`<html><body style="font: 14px sans-serif">${right}</body></html>`);
  expect(await page.evaluate(inspectScreen)).toEqual([]);
});
