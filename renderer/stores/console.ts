// Console sessions (engine shell via the contract), one per connection, with the transcript kept so that the
// terminal shows it again when the view comes back.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ConsoleOutput } from '../../main/contract/model'
import { api, apiClient } from './api'

/** Transcript kept per console (characters); older text is dropped. */
const TRANSCRIPT_LIMIT = 200_000
/** How long a new console waits for its session's first state event before it prints a CONNECTING prompt anyway. */
const FIRST_PROMPT_WAIT_MS = 3000

export interface ConsoleSession {
  consoleId: string
  connectionId: string
  prompt: string
  transcript: string
  /** Whether a terminal has shown this console yet (it prints the banner first). */
  started: boolean
}

/** zkCli's prompt while the session is still being established: `[zk: host:port(CONNECTING) 0] `. */
export function isConnectingPrompt(prompt: string): boolean {
  return /\(CONNECTING\) \d+\] $/.test(prompt)
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
  /**
   * A new console's shell is still connecting when it opens, so its prompt says CONNECTING. zkCli prints that prompt
   * anyway, right under the SyncConnected event, which reads as "not connected". Here the first prompt waits for the
   * session's first state event and is then asked again (an empty line, as Enter on an empty prompt does).
   */
  const firstPrompts = new Map<string, Promise<void>>()
  const awaitingFirstState = new Map<string, () => void>()

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
      const firstState = awaitingFirstState.get(session.consoleId)
      if (firstState !== undefined) {
        awaitingFirstState.delete(session.consoleId)
        firstState()
      }
    })
    const existing = sessions.value[connectionId]
    if (existing !== undefined) return existing
    const opened = await api().console.open({ connectionId })
    const session: ConsoleSession = { consoleId: opened.consoleId, connectionId, prompt: opened.prompt, transcript: '', started: false }
    sessions.value = { ...sessions.value, [connectionId]: session }
    if (isConnectingPrompt(opened.prompt)) firstPrompts.set(opened.consoleId, afterFirstState(connectionId, opened.consoleId))
    return sessions.value[connectionId]!
  }

  function afterFirstState(connectionId: string, consoleId: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        awaitingFirstState.delete(consoleId)
        resolve()
      }, FIRST_PROMPT_WAIT_MS)
      awaitingFirstState.set(consoleId, () => {
        clearTimeout(timer)
        void refreshPrompt(connectionId).finally(resolve)
      })
    })
  }

  async function refreshPrompt(connectionId: string): Promise<void> {
    const session = sessions.value[connectionId]
    if (session === undefined) return
    const result = await api().console.execute({ consoleId: session.consoleId, line: '' }).catch(() => null)
    if (result !== null) session.prompt = result.prompt
  }

  /** Resolves when the console's first prompt shows the real state (at once for a console shown before). */
  async function firstPrompt(connectionId: string): Promise<void> {
    const session = sessions.value[connectionId]
    if (session === undefined) return
    await firstPrompts.get(session.consoleId)
    firstPrompts.delete(session.consoleId)
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

  return { sessions, open, firstPrompt, execute, complete, close, record, onOutside }
})
