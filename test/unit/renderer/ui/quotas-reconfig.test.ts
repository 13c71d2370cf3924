// @vitest-environment happy-dom
// The Quotas view (usage bars, soft/hard levels, set and delete through the contract) and the Reconfig view (members,
// quorum, preview, apply against the previewed version; a refusal by the ensemble shown) against a scripted main.
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { EnsembleConfigView, QuotaView } from '../../../../main/contract/model'
import { previewReconfig, parseEnsembleConfig } from '../../../../main/services/reconfig/ensemble-config'
import QuotasView from '../../../../renderer/components/quotas/QuotasView.vue'
import ReconfigView from '../../../../renderer/components/reconfig/ReconfigView.vue'
import { i18n } from '../../../../renderer/i18n'
import { useAppStore } from '../../../../renderer/stores/app'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { connection } from './support/fixtures'
import { keeperError, scriptedMain, settle } from './support/scripted-main'

const global = { plugins: [i18n] }

afterEach(() => {
  document.body.innerHTML = ''
})

const quota = (path: string, level: QuotaView['level'], count: number): QuotaView => ({
  path,
  limits: { count: 2, bytes: null, countHard: 4, bytesHard: 1024 },
  usage: { count, bytes: 100 },
  level,
})

describe('QuotasView', () => {
  it('lists quotas with bars and levels, sets one from the form, deletes after confirmation', async () => {
    let quotas = [quota('/a', 'ok', 1), quota('/b', 'soft', 3), quota('/c', 'hard', 4)]
    const main = scriptedMain({
      'quotas.list': () => quotas,
      'quotas.set': (args) => {
        quotas = [...quotas, quota(args.path, 'ok', 1)]
        return { quota: quota(args.path, 'ok', 1), warnings: ['[Warning]: the count quota you create is less than the existing count:4'] }
      },
      'quotas.delete': ({ path }) => {
        quotas = quotas.filter((one) => one.path !== path)
        return { deleted: true }
      },
    })
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(QuotasView, { global, attachTo: document.body })
    await settle()
    expect(main.callsOf('quotas.list')).toEqual([{ connectionId: 'c1' }])
    const cards = wrapper.findAll('[data-test="quota-card"]')
    expect(cards.map((card) => card.attributes('data-level'))).toEqual(['ok', 'soft', 'hard'])
    expect(cards[1]!.find('[data-test="quota-soft"]').text()).toBe('Soft limit reached')
    expect(cards[2]!.find('[data-test="quota-hard"]').text()).toBe('Hard limit reached')
    expect(cards[2]!.findAll('[data-test="quota-bar"]').map((bar) => bar.attributes('data-level'))).toEqual(['hard', 'ok'])
    expect(cards[2]!.find('[data-test="quota-bar-numbers"]').text()).toBe('4 / 2 soft · 4 hard')

    await wrapper.find('[data-test="quotas-path"]').setValue('/d')
    await wrapper.find('[data-test="quotas-count"]').setValue('10')
    await wrapper.find('[data-test="quotas-bytes-hard"]').setValue('2048')
    await wrapper.find('[data-test="quotas-form"]').trigger('submit')
    await settle()
    expect(main.callsOf('quotas.set')).toEqual([{ connectionId: 'c1', path: '/d', count: 10, bytesHard: 2048 }])
    expect(wrapper.find('[data-test="quotas-warnings"]').text()).toContain('less than the existing count:4')
    expect(wrapper.findAll('[data-test="quota-path"]').map((path) => path.text())).toEqual(['/a', '/b', '/c', '/d'])

    await wrapper.findAll('[data-test="quota-delete"]')[0]!.trigger('click')
    await settle()
    useAppStore().confirmation?.resolve(true)
    await settle()
    expect(main.callsOf('quotas.delete')).toEqual([{ connectionId: 'c1', path: '/a' }])
    expect(wrapper.findAll('[data-test="quota-path"]').map((path) => path.text())).toEqual(['/b', '/c', '/d'])
  })
})

const CONFIG_TEXT = [
  'server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181',
  'server.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182',
  'server.3=127.0.0.1:2890:3890:participant;127.0.0.1:2183',
  'server.4=127.0.0.1:2891:3891:observer;127.0.0.1:2184',
  'version=100000000',
].join('\n')

function ensemble(support: EnsembleConfigView['support'], text = CONFIG_TEXT): EnsembleConfigView {
  const parsed = parseEnsembleConfig(text)
  const voters = parsed.members.filter((member) => member.role === 'participant').length
  const majority = Math.floor(voters / 2) + 1
  return { ...parsed, quorum: { voters, observers: parsed.members.length - voters, majority, tolerated: voters - majority }, support, text }
}

describe('ReconfigView', () => {
  it('previews removing a voter (quorum before → after, fewer failures tolerated) and applies against the version', async () => {
    const after = CONFIG_TEXT.replace(/server\.3=.*\n/, '').replace('version=100000000', 'version=100000004')
    const main = scriptedMain({
      'reconfig.config': () => ensemble('supported'),
      'reconfig.preview': (args) => previewReconfig(parseEnsembleConfig(CONFIG_TEXT), args.joining ?? [], args.leaving ?? []),
      'reconfig.apply': () => ensemble('supported', after),
    })
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(ReconfigView, { global, attachTo: document.body })
    await settle()
    expect(wrapper.findAll('[data-test^="reconfig-member-"]')).toHaveLength(4)
    expect(wrapper.find('[data-test="quorum-summary"]').text()).toBe('voters 3 · observers 1 · majority 2 · tolerates 1 failed')
    expect(wrapper.find('[data-test="reconfig-apply"]').attributes('disabled')).toBeDefined()

    await wrapper.find('[data-test="reconfig-leave-3"]').setValue(true)
    await wrapper.find('[data-test="reconfig-preview"]').trigger('click')
    await settle()
    expect(main.callsOf('reconfig.preview')).toEqual([{ connectionId: 'c1', joining: [], leaving: [3] }])
    expect(wrapper.find('[data-test="reconfig-after"]').text()).toBe('voters 2 · observers 1 · majority 2 · tolerates 0 failed')
    expect(wrapper.find('[data-test="reconfig-change-3"]').attributes('data-change')).toBe('leaving')
    expect(wrapper.find('[data-test="reconfig-less-tolerant"]').exists()).toBe(true)

    await wrapper.find('[data-test="reconfig-apply"]').trigger('click')
    await settle()
    useAppStore().confirmation?.resolve(true)
    await settle()
    expect(main.callsOf('reconfig.apply')).toEqual([{ connectionId: 'c1', joining: [], leaving: [3], fromVersion: '100000000' }])
    expect(wrapper.findAll('[data-test^="reconfig-member-"]')).toHaveLength(3)
    expect(wrapper.find('[data-test="reconfig-version"]').text()).toContain('100000004')
  })

  it('shows the ensemble refusing a reconfig (RECONFIGDISABLED) and keeps its members', async () => {
    scriptedMain({
      'reconfig.config': () => ensemble('supported'),
      'reconfig.preview': (args) => previewReconfig(parseEnsembleConfig(CONFIG_TEXT), args.joining ?? [], args.leaving ?? []),
      'reconfig.apply': () => {
        throw keeperError('RECONFIGDISABLED')
      },
    })
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(ReconfigView, { global, attachTo: document.body })
    await settle()
    await wrapper.find('[data-test="reconfig-leave-4"]').setValue(true)
    await wrapper.find('[data-test="reconfig-preview"]').trigger('click')
    await settle()
    await wrapper.find('[data-test="reconfig-apply"]').trigger('click')
    await settle()
    useAppStore().confirmation?.resolve(true)
    await settle()
    expect(JSON.stringify(useAppStore().toasts.map((toast) => [toast.title, toast.error]))).toContain('RECONFIGDISABLED')
    expect(wrapper.findAll('[data-test^="reconfig-member-"]')).toHaveLength(4)
  })

  it('lists the problems the server would refuse', async () => {
    scriptedMain({
      'reconfig.config': () => ensemble('supported'),
      'reconfig.preview': (args) => previewReconfig(parseEnsembleConfig(CONFIG_TEXT), args.joining ?? [], args.leaving ?? []),
    })
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(ReconfigView, { global, attachTo: document.body })
    await settle()
    await wrapper.find('[data-test="reconfig-joining"]').setValue('server.9=nonsense')
    await wrapper.find('[data-test="reconfig-preview"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="reconfig-problems"]').text()).toBe('Not a server spec: server.9=nonsense')
    expect(wrapper.find('[data-test="reconfig-apply"]').attributes('disabled')).toBeDefined()
  })
})
