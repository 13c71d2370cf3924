// Monaco, slim: the editor core, its features, JSON (with its worker), XML, YAML and INI (for .properties).
// Loaded on demand (import()) so that the first screen does not wait for it.
import * as monaco from 'monaco-editor/editor'
import 'monaco-editor/features/register.all'
import 'monaco-editor/languages/features/json/register'
import 'monaco-editor/languages/definitions/xml/register'
import 'monaco-editor/languages/definitions/yaml/register'
import 'monaco-editor/languages/definitions/ini/register'
import EditorWorker from 'monaco-editor/editor/editor.worker?worker'
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker'

const environment = globalThis as unknown as { MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker } }
environment.MonacoEnvironment = {
  getWorker: (_workerId, label) => (label === 'json' ? new JsonWorker() : new EditorWorker()),
}

export { monaco }
export type Monaco = typeof monaco
