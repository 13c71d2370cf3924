// @vitest-environment happy-dom
// What a new user stumbled on (notes/s3-new-user.md): disabled menu items say why and menu items show their
// shortcuts; the watch log's per-path counts have an empty state.
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import ContextMenu from '../../../../renderer/components/tree/ContextMenu.vue'
import WatchLog from '../../../../renderer/components/watches/WatchLog.vue'
import { i18n } from '../../../../renderer/i18n'
import { useWatchesStore } from '../../../../renderer/stores/watches'
import { scriptedMain } from './support/scripted-main'

afterEach(() => {
  document.body.innerHTML = ''
})

describe('context menu', () => {
  it('shows shortcuts, explains disabled items, and ignores clicks on them', async () => {
    const wrapper = mount(ContextMenu, {
      props: {
        x: 10,
        y: 10,
        items: [
          { id: 'refresh', label: 'Refresh', keys: 'F5' },
          { id: 'delete', label: 'Delete', disabled: true, hint: 'The root node / cannot be deleted.', keys: 'Delete' },
        ],
      },
      attachTo: document.body,
    })
    const refresh = wrapper.find('[data-test="menu-refresh"]')
    expect(refresh.find('.keys').text()).toBe('F5')
    const remove = wrapper.find('[data-test="menu-delete"]')
    expect(remove.attributes('title')).toBe('The root node / cannot be deleted.')
    expect(remove.attributes('aria-disabled')).toBe('true')
    await remove.trigger('click')
    expect(wrapper.emitted('pick')).toBeUndefined()
    await refresh.trigger('click')
    expect(wrapper.emitted('pick')?.[0]).toEqual(['refresh'])
    wrapper.unmount()
  })
})

describe('watch log', () => {
  it('says where per-path counts appear before any event', async () => {
    scriptedMain({ 'watches.list': () => [] })
    await useWatchesStore().load()
    const wrapper = mount(WatchLog, { global: { plugins: [i18n] } })
    expect(wrapper.find('[data-test="per-path-empty"]').text()).toBe('Counted here once events arrive.')
    wrapper.unmount()
  })
})
