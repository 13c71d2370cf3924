// @vitest-environment happy-dom
// The view bar: six tabs and one Tools menu button; every view has keys (Alt+1…6, Alt+T then 1…7), the tooltips and
// the help's shortcut list say the same keys, and the menu works from the keyboard (arrows, a number, Escape).
import { mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import ViewTabs from '../../../../renderer/components/layout/ViewTabs.vue'
import { i18n } from '../../../../renderer/i18n'
import en from '../../../../renderer/i18n/en'
import { SHORTCUTS } from '../../../../renderer/lib/shortcuts'
import { TAB_VIEWS, TOOL_VIEWS, VIEWS, viewKey, viewShortcut } from '../../../../renderer/lib/views'
import { useAppStore } from '../../../../renderer/stores/app'
import { scriptedMain } from './support/scripted-main'

const global = { plugins: [i18n] }

afterEach(() => {
  document.body.innerHTML = ''
})

const press = (key: string, code: string, alt = false): KeyboardEvent => new KeyboardEvent('keydown', { key, code, altKey: alt, bubbles: true })

describe('views and their keys', () => {
  it('puts every view in exactly one place and gives each its own keys', () => {
    expect([...VIEWS].sort()).toEqual(Object.keys(en.nav).filter((key) => !key.endsWith('Hint') && !['views', 'tools'].includes(key)).sort())
    expect(new Set(VIEWS).size).toBe(TAB_VIEWS.length + TOOL_VIEWS.length)
    expect(TAB_VIEWS.length).toBeLessThanOrEqual(9)
    expect(TOOL_VIEWS.length).toBeLessThanOrEqual(9)
    const keys = VIEWS.map(viewShortcut)
    expect(new Set(keys).size).toBe(VIEWS.length)
    expect(viewShortcut('explorer')).toBe('Alt+1')
    expect(viewShortcut('quotas')).toBe('Alt+T 3')
  })

  it('reads Alt+digit and Alt+T by key position, and nothing else', () => {
    const event = (code: string, extra: Partial<{ altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }> = {}) => ({ code, altKey: true, ctrlKey: false, metaKey: false, shiftKey: false, ...extra })
    expect(viewKey(event('Digit1'))).toEqual({ kind: 'view', view: 'explorer' })
    expect(viewKey(event(`Digit${TAB_VIEWS.length}`))).toEqual({ kind: 'view', view: TAB_VIEWS[TAB_VIEWS.length - 1] })
    expect(viewKey(event(`Digit${TAB_VIEWS.length + 1}`))).toBeNull()
    expect(viewKey(event('KeyT'))).toEqual({ kind: 'tools' })
    expect(viewKey(event('KeyT', { ctrlKey: true }))).toBeNull()
    expect(viewKey(event('Digit1', { shiftKey: true }))).toBeNull()
    expect(viewKey(event('Digit1', { altKey: false }))).toBeNull()
  })

  it('lists every view in the help with the keys its tooltip shows', () => {
    for (const view of VIEWS) {
      const listed = SHORTCUTS.filter((shortcut) => shortcut.labelKey === `nav.${view}`)
      expect(listed.map((shortcut) => shortcut.keys)).toEqual([viewShortcut(view)])
    }
    expect(SHORTCUTS.find((shortcut) => shortcut.id === 'view.tools')?.keys).toBe('Alt+T')
  })
})

describe('ViewTabs', () => {
  it('shows the tabs with their keys in the tooltip, and the active tool on the Tools button', async () => {
    scriptedMain()
    const app = useAppStore()
    const wrapper = mount(ViewTabs, { global, attachTo: document.body })
    const tabs = wrapper.findAll('[role="tab"]')
    expect(tabs.map((tab) => tab.attributes('data-test'))).toEqual([...TAB_VIEWS.map((view) => `view-${view}`), 'view-tools'])
    expect(wrapper.find('[data-test="view-health"]').attributes('title')).toBe(`${en.nav.healthHint} (Alt+4)`)
    expect(wrapper.find('[data-test="view-tools"]').attributes('title')).toContain('(Alt+T)')
    expect(wrapper.find('[data-test="view-tools-active"]').exists()).toBe(false)
    app.view = 'tap'
    await nextTick()
    expect(wrapper.find('[data-test="view-tools-active"]').text()).toBe(en.nav.tap)
    expect(wrapper.find('[data-test="view-tools"]').attributes('aria-selected')).toBe('true')
    expect(wrapper.find('[data-test="view-tools"]').attributes('tabindex')).toBe('0')
    expect(wrapper.find('[data-test="view-explorer"]').attributes('tabindex')).toBe('-1')
    await wrapper.find('[data-test="view-console"]').trigger('click')
    expect(app.view).toBe('console')
    expect(wrapper.find('[data-test="view-tools-active"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('switches views with Alt+digit and opens the Tools menu with Alt+T; a number, arrows and Escape work in it', async () => {
    scriptedMain()
    const app = useAppStore()
    const wrapper = mount(ViewTabs, { global, attachTo: document.body })
    window.dispatchEvent(press('2', 'Digit2', true))
    expect(app.view).toBe('watches')
    window.dispatchEvent(press('t', 'KeyT', true))
    await nextTick()
    await nextTick()
    const menu = wrapper.find('[data-test="view-tools-menu"]')
    expect(menu.exists()).toBe(true)
    expect(menu.findAll('[role="menuitemradio"]').map((item) => item.text().slice(0, 3))).toHaveLength(TOOL_VIEWS.length)
    expect(document.activeElement?.getAttribute('data-test')).toBe(`view-${TOOL_VIEWS[0]}`)
    await menu.trigger('keydown', { key: 'ArrowDown', code: 'ArrowDown' })
    expect(document.activeElement?.getAttribute('data-test')).toBe(`view-${TOOL_VIEWS[1]}`)
    await menu.trigger('keydown', { key: 'ArrowUp', code: 'ArrowUp' })
    await menu.trigger('keydown', { key: 'ArrowUp', code: 'ArrowUp' })
    expect(document.activeElement?.getAttribute('data-test')).toBe(`view-${TOOL_VIEWS[TOOL_VIEWS.length - 1]}`)
    await menu.trigger('keydown', { key: '3', code: 'Digit3' })
    expect(app.view).toBe(TOOL_VIEWS[2])
    expect(wrapper.find('[data-test="view-tools-menu"]').exists()).toBe(false)
    expect(document.activeElement?.getAttribute('data-test')).toBe('view-tools')

    // Escape closes the menu without reaching the window (a dialog under it would stay open).
    await wrapper.find('[data-test="view-tools"]').trigger('click')
    await nextTick()
    let reachedWindow = false
    const onWindow = (event: KeyboardEvent) => {
      if (event.key === 'Escape') reachedWindow = true
    }
    window.addEventListener('keydown', onWindow)
    await wrapper.find('[data-test="view-tools-menu"]').trigger('keydown', { key: 'Escape', code: 'Escape' })
    window.removeEventListener('keydown', onWindow)
    expect(wrapper.find('[data-test="view-tools-menu"]').exists()).toBe(false)
    expect(reachedWindow).toBe(false)
    expect(app.view).toBe(TOOL_VIEWS[2])

    // ← → move focus along the bar, wrapping from the Tools button to the first tab.
    const tools = wrapper.find('[data-test="view-tools"]')
    ;(tools.element as HTMLElement).focus()
    await tools.trigger('keydown', { key: 'ArrowRight', code: 'ArrowRight' })
    expect(document.activeElement?.getAttribute('data-test')).toBe(`view-${TAB_VIEWS[0]}`)
    await wrapper.find(`[data-test="view-${TAB_VIEWS[0]}"]`).trigger('keydown', { key: 'ArrowLeft', code: 'ArrowLeft' })
    expect(document.activeElement?.getAttribute('data-test')).toBe('view-tools')
    wrapper.unmount()
  })
})
