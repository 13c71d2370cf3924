// Measurements that run inside the page (Chromium's clock and frames). Kept as JavaScript text: the Node-side test
// program has no DOM types, and these never run in Node.

/** From a click on a row's chevron to the frame that paints its first child row. Resolves with milliseconds. */
export function expandAndTimeFirstRow(parentPath: string, firstChildPath: string): string {
  return `new Promise((resolve) => {
    const toggle = document.querySelector('[data-test="tree-row"][data-path=${JSON.stringify(parentPath)}] [data-test="tree-toggle"]')
    const start = performance.now()
    const observer = new MutationObserver(() => {
      if (document.querySelector('[data-test="tree-row"][data-path=${JSON.stringify(firstChildPath)}]') !== null) {
        observer.disconnect()
        requestAnimationFrame(() => resolve(performance.now() - start))
      }
    })
    observer.observe(document.body, { subtree: true, childList: true })
    toggle.click()
  })`
}

/**
 * Scrolls the tree `frames` times by `stepPx`, one step a frame. Resolves with each frame's duration (ms) and the
 * long tasks (> 50 ms of main-thread work, Chromium's 'longtask' entries) seen meanwhile: a long frame without a long
 * task was the machine's (another process had the CPU), one with a long task was ours.
 */
export function scrollAndTimeFrames(frames: number, stepPx: number): string {
  return `(async () => {
    const list = document.querySelector('[data-test="tree"] [data-test="virtual-list"]')
    const durations = []
    const longTasks = []
    const observer = new PerformanceObserver((entries) => { for (const entry of entries.getEntries()) longTasks.push(entry.duration) })
    observer.observe({ type: 'longtask' })
    let last = performance.now()
    for (let i = 0; i < ${frames}; i++) {
      list.scrollTop += ${stepPx}
      await new Promise((resolve) => requestAnimationFrame(resolve))
      const now = performance.now()
      durations.push(now - last)
      last = now
    }
    // Long-task entries are delivered after the task: let the last ones arrive.
    await new Promise((resolve) => setTimeout(resolve, 100))
    observer.disconnect()
    return { durations, longTasks }
  })()`
}

/** Jumps the tree to `scrollTopPx`; resolves with the ms until no placeholder row is left on screen. */
export function jumpAndTimeLoaded(scrollTopPx: number): string {
  return `new Promise((resolve) => {
    const list = document.querySelector('[data-test="tree"] [data-test="virtual-list"]')
    const start = performance.now()
    list.scrollTop = ${scrollTopPx}
    const check = () => {
      const rows = list.querySelectorAll('[data-test="tree-row"], [data-test="tree-placeholder"]').length
      const placeholders = list.querySelectorAll('[data-test="tree-placeholder"]').length
      if (rows > 0 && placeholders === 0) resolve(performance.now() - start)
      else requestAnimationFrame(check)
    }
    requestAnimationFrame(check)
  })`
}

export function currentTheme(): string {
  return 'document.documentElement.dataset.theme'
}
