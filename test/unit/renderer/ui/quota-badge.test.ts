// @vitest-environment happy-dom
// The node panel's quota badge against a scripted main: the deepest quota over a node (its own or an ancestor's),
// how full against the tightest limit, its level, no badge outside any quota or under /zookeeper, and a click opens
// the Quotas view. Plus the pure lookup.
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { QuotaView } from '../../../../main/contract/model'
import QuotaBadge from '../../../../renderer/components/quotas/QuotaBadge.vue'
import { governingQuota } from '../../../../renderer/components/quotas/quota-of'
import { i18n } from '../../../../renderer/i18n'
import { useAppStore } from '../../../../renderer/stores/app'
import { scriptedMain, settle } from './support/scripted-main'

const global = { plugins: [i18n] }

afterEach(() => {
  document.body.innerHTML = ''
})

const quota = (path: string, count: number, limits: Partial<QuotaView['limits']>, level: QuotaView['level'] = 'ok'): QuotaView => ({
  path,
  limits: { count: null, bytes: null, countHard: null, bytesHard: null, ...limits },
  usage: { count, bytes: 100 },
  level,
})

const QUOTAS = [quota('/app', 5, { count: 10 }), quota('/app/big', 9, { count: 8, countHard: 10 }, 'soft')]

describe('governingQuota', () => {
  it('picks the deepest quota over the path, own or inherited, and how full it is', () => {
    expect(governingQuota('/app/x', QUOTAS)).toMatchObject({ own: false, percent: 50, quota: { path: '/app' } })
    expect(governingQuota('/app/big', QUOTAS)).toMatchObject({ own: true, percent: 90, quota: { path: '/app/big' } })
    expect(governingQuota('/app/big/deep', QUOTAS)?.quota.path).toBe('/app/big')
    expect(governingQuota('/application', QUOTAS)).toBeNull()
    expect(governingQuota('/other', QUOTAS)).toBeNull()
  })
})

describe('QuotaBadge', () => {
  it('shows the governing quota with its level, and opens the Quotas view on click', async () => {
    scriptedMain({ 'quotas.list': () => QUOTAS })
    const wrapper = mount(QuotaBadge, { props: { connectionId: 'badge-1', path: '/app/big/deep' }, global, attachTo: document.body })
    await settle()
    const badge = wrapper.find('[data-test="node-quota"]')
    expect(badge.text()).toBe('Quota 90%')
    expect(badge.attributes('data-level')).toBe('soft')
    expect(badge.attributes('title')).toContain('Inside the quota of /app/big')
    await badge.trigger('click')
    expect(useAppStore().view).toBe('quotas')
  })

  it('shows nothing outside every quota, and reads the quotas once for several nodes', async () => {
    const main = scriptedMain({ 'quotas.list': () => QUOTAS })
    const wrapper = mount(QuotaBadge, { props: { connectionId: 'badge-2', path: '/other' }, global, attachTo: document.body })
    await settle()
    expect(wrapper.find('[data-test="node-quota"]').exists()).toBe(false)
    await wrapper.setProps({ path: '/app' })
    await settle()
    expect(wrapper.find('[data-test="node-quota"]').text()).toBe('Quota 50%')
    expect(main.callsOf('quotas.list')).toHaveLength(1)
  })
})
