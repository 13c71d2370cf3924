// The view bar in headless Debian Chromium (browser mode, no cluster needed): the six everyday views as tabs and the
// tools behind one "Tools" menu button, never clipped or wrapped at 1400 and 1100 px in English and Chinese; every
// view reachable by keyboard (Alt+1…6, Alt+T then the tool's number, ← → in the bar, ↑ ↓ Enter Esc in the menu); the
// active tool named on the button; the help lists the same keys. Screenshots of each size and language.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import en from '../../renderer/i18n/en'
import { TAB_VIEWS, TOOL_VIEWS } from '../../renderer/lib/views'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'

const ui = useBrowserApp({ defaultCluster: false, width: 1400, height: 900, escapeAfterEach: true })
const { byTest, showView } = ui

/** How the bar lies out: overflow, the rows its stops sit on, and whether each stop is fully inside the window. */
async function layout(page: Page): Promise<{ overflow: number; rows: number; outside: string[]; labels: string[] }> {
  return page.evaluate(`(() => {
    const bar = document.querySelector('[data-test="view-tabs"]')
    const stops = [...bar.querySelectorAll('[role="tab"]')]
    const tops = new Set(stops.map((stop) => Math.round(stop.getBoundingClientRect().top)))
    const outside = stops.filter((stop) => { const box = stop.getBoundingClientRect(); return box.left < 0 || box.right > window.innerWidth || box.right > bar.getBoundingClientRect().right }).map((stop) => stop.dataset.test)
    return { overflow: bar.scrollWidth - bar.clientWidth, rows: tops.size, outside, labels: stops.map((stop) => stop.textContent.trim()) }
  })()`)
}

const focused = (page: Page): Promise<string | null> => page.evaluate('document.activeElement?.getAttribute("data-test") ?? null')
const menu = () => byTest('view-tools-menu')

describe('view bar', () => {
  it('fits on one line at 1400 and 1100 px, in English and in Chinese, with a tool active', async () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      await byTest('locale-select').selectOption(locale)
      // The widest the bar gets: the longest tool name shown on the button.
      await showView('reconfig')
      for (const [width, height] of [[1400, 900], [1100, 800]] as const) {
        await ui.page.setViewportSize({ width, height })
        const shown = await layout(ui.page)
        console.log(`${locale} ${width}px: ${JSON.stringify(shown)}`)
        expect(shown.overflow).toBeLessThanOrEqual(0)
        expect(shown.rows).toBe(1)
        expect(shown.outside).toEqual([])
        expect(shown.labels).toHaveLength(TAB_VIEWS.length + 1)
        await screenshot(ui.page, `view-bar-${width}-${locale}`)
      }
      await ui.page.setViewportSize({ width: 1100, height: 800 })
      await byTest('view-tools').click()
      await menu().waitFor()
      await screenshot(ui.page, `view-bar-menu-1100-${locale}`)
      await ui.page.keyboard.press('Escape')
      await menu().waitFor({ state: 'detached' })
    }
    await byTest('locale-select').selectOption('en')
    await byTest('theme-toggle').click()
    await byTest('view-tools').click()
    await menu().waitFor()
    await screenshot(ui.page, 'view-bar-menu-1100-en-dark')
    await ui.page.keyboard.press('Escape')
    await byTest('theme-toggle').click()
    await ui.page.setViewportSize({ width: 1400, height: 900 })
  })

  it('names the active tool on the Tools button, and shows every tool from the menu', async () => {
    for (const view of TOOL_VIEWS) {
      await showView(view)
      expect(await byTest('view-tools').getAttribute('aria-selected')).toBe('true')
      expect(await byTest('view-tools-active').textContent()).toBe(en.nav[view as keyof typeof en.nav])
      expect(await ui.page.locator('.view > *').count()).toBeGreaterThan(0)
    }
    // A tab takes the name off the button.
    await showView('explorer')
    expect(await byTest('view-tools-active').count()).toBe(0)
    expect(await byTest('view-tools').getAttribute('aria-selected')).toBe('false')
    expect(await byTest('view-explorer').getAttribute('aria-selected')).toBe('true')
  })

  it('reaches every view from the keyboard: Alt+1…6, Alt+T then a number, arrows, Enter and Escape', async () => {
    await ui.page.locator('body').click({ position: { x: 5, y: 300 } })
    for (const [index, view] of TAB_VIEWS.entries()) {
      await ui.page.keyboard.press(`Alt+Digit${index + 1}`)
      await expect.poll(() => byTest(`view-${view}`).getAttribute('aria-selected')).toBe('true')
    }
    for (const [index, view] of TOOL_VIEWS.entries()) {
      await ui.page.keyboard.press('Alt+KeyT')
      await menu().waitFor()
      await ui.page.keyboard.press(`Digit${index + 1}`)
      await menu().waitFor({ state: 'detached' })
      await expect.poll(() => byTest('view-tools').getAttribute('data-active-view')).toBe(view)
    }
    // In the menu: focus starts on the active tool; ↓ moves (wrapping), Enter picks, focus returns to the button.
    await ui.page.keyboard.press('Alt+KeyT')
    await menu().waitFor()
    expect(await focused(ui.page)).toBe(`view-${TOOL_VIEWS[TOOL_VIEWS.length - 1]}`)
    await ui.page.keyboard.press('ArrowDown')
    expect(await focused(ui.page)).toBe(`view-${TOOL_VIEWS[0]}`)
    await ui.page.keyboard.press('ArrowDown')
    await ui.page.keyboard.press('Enter')
    await menu().waitFor({ state: 'detached' })
    expect(await byTest('view-tools').getAttribute('data-active-view')).toBe(TOOL_VIEWS[1])
    expect(await focused(ui.page)).toBe('view-tools')
    // Escape closes the menu and changes nothing.
    await ui.page.keyboard.press('ArrowDown')
    await menu().waitFor()
    await ui.page.keyboard.press('Escape')
    await menu().waitFor({ state: 'detached' })
    expect(await byTest('view-tools').getAttribute('data-active-view')).toBe(TOOL_VIEWS[1])
    expect(await focused(ui.page)).toBe('view-tools')
    // ← → move between the tabs and the button (wrapping), Enter shows the focused tab.
    await ui.page.keyboard.press('ArrowRight')
    expect(await focused(ui.page)).toBe(`view-${TAB_VIEWS[0]}`)
    await ui.page.keyboard.press('ArrowRight')
    expect(await focused(ui.page)).toBe(`view-${TAB_VIEWS[1]}`)
    await ui.page.keyboard.press('Enter')
    await expect.poll(() => byTest(`view-${TAB_VIEWS[1]}`).getAttribute('aria-selected')).toBe('true')
    await ui.page.keyboard.press('End')
    expect(await focused(ui.page)).toBe('view-tools')
    await ui.page.keyboard.press('Home')
    expect(await focused(ui.page)).toBe(`view-${TAB_VIEWS[0]}`)
    // A click outside closes the menu.
    await byTest('view-tools').click()
    await menu().waitFor()
    await ui.page.mouse.click(700, 600)
    await menu().waitFor({ state: 'detached' })
    expect(ui.browser.errors).toEqual([])
  })

  it('tooltips and the help list the same keys', async () => {
    expect(await byTest('view-explorer').getAttribute('title')).toMatch(/\(Alt\+1\)$/)
    expect(await byTest('view-sessions').getAttribute('title')).toMatch(/\(Alt\+6\)$/)
    expect(await byTest('view-tools').getAttribute('title')).toMatch(/\(Alt\+T\)$/)
    await byTest('view-tools').click()
    expect(await menu().locator('[data-test="view-quotas"]').getAttribute('title')).toMatch(/\(Alt\+T, 3\)$/)
    expect(await menu().locator('[data-test="view-quotas"] kbd').textContent()).toBe('3')
    await ui.page.keyboard.press('Escape')
    await ui.page.keyboard.press('F1')
    const table = byTest('shortcut-table')
    await table.waitFor()
    const rows = await table.locator('tr').evaluateAll((all) => all.map((one) => one.textContent?.replace(/\s+/g, '') ?? ''))
    expect(rows).toContain('AltT3Quotas')
    expect(rows).toContain('Alt6Sessions')
    expect(rows.some((one) => one.startsWith('AltTOpentheToolsmenu'))).toBe(true)
    await screenshot(ui.page, 'view-bar-help')
    await ui.page.keyboard.press('Escape')
  })
})
