import { contextBridge } from 'electron'

// A small, function-only surface; the typed contract replaces this with the app-backbone issue.
contextBridge.exposeInMainWorld('zoodesk', { platform: process.platform })
