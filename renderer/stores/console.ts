// Console sessions (engine shell via the contract), one per connection, with the transcript kept so that the
// terminal shows it again when the view comes back.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ConsoleOutput } from '../../main/contract/model'
import { api, apiClient } from './api'

/** Transcript kept per console (characters); older text is dropped. */
const TRANSCRIPT_LIMIT = 200_000

export interface ConsoleSession {
  consoleId: string
  connectionId: string
  prompt: string
  transcript: string
}

/** Shell output as terminal text: the shell prints '\n', a terminal wants '\r\n'. */
export function terminalText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n')
}

export const useConsoleStore = defineStore('console', () => {
  const sessions = ref<Record<string, ConsoleSession>>({})
  /** Output printed outside a command (watch notifications) for a console, to the terminal that shows it. */
  const listeners = new Map<string, (text: string) => void>()
  let stop: (() => void) | null = null

  function append(session: ConsoleSession, text: string): void {
    session.transcript += text
    if (session.transcript.length > TRANSCRIPT_LIMIT) session.transcript = session.transcript.slice(session.transcript.length - TRANSCRIPT_LIMIT)
  }

  async function open(connectionId: string): Promise<ConsoleSession> {
    stop ??= apiClient().on('console.output', (output) => {
      const session = Object.values(sessions.value).find((one) => one.consoleId === output.consoleId)
      if (session === undefined) return
      const text = terminalText(output.text)
      append(session, text)
      listeners.get(session.consoleId)?.(text)
    })
    const existing = sessions.value[connectionId]
    if (existing !== undefined) return existing
    const opened = await api().console.open({ connectionId })
    const session: ConsoleSession = { consoleId: opened.consoleId, connectionId, prompt: opened.prompt, transcript: '' }
    sessions.value = { ...sessions.value, [connectionId]: session }
    return sessions.value[connectionId]!
  }

  function onOutside(consoleId: string, listener: ((text: string) => void) | null): void {
    if (listener === null) listeners.delete(consoleId)
    else listeners.set(consoleId, listener)
  }

  /** Runs a line; returns the terminal text of its output. */
  async function execute(connectionId: string, line: string): Promise<{ text: string; prompt: string }> {
    const session = sessions.value[connectionId]
    if (session === undefined) throw new Error('no console is open on this connection')
    const result = await api().console.execute({ consoleId: session.consoleId, line })
    // zkCli prints much of its normal output ("Created /x") on stderr: both streams look alike, as in a terminal.
    const text = terminalText(result.output.map((output: ConsoleOutput) => output.text).join(''))
    session.prompt = result.prompt
    return { text, prompt: result.prompt }
  }

  function record(connectionId: string, text: string): void {
    const session = sessions.value[connectionId]
    if (session !== undefined) append(session, text)
  }

  async function complete(connectionId: string, line: string): Promise<string[]> {
    const session = sessions.value[connectionId]
    if (session === undefined) return []
    return (await api().console.complete({ consoleId: session.consoleId, line })).candidates
  }

  async function close(connectionId: string): Promise<void> {
    const session = sessions.value[connectionId]
    if (session === undefined) return
    const next = { ...sessions.value }
    delete next[connectionId]
    sessions.value = next
    await api().console.close({ consoleId: session.consoleId }).catch(() => {})
  }

  return { sessions, open, execute, complete, close, record, onOutside }
})
