/** The adapter suite over the Fetch bridge, behind a minimal node:http → Fetch shim. */
import { describeAdapter } from '@auth/core/testing'
import { startFetchApp } from './fetch-app.js'
import { createTinyStore } from './tiny-store.js'

describeAdapter('Fetch bridge', { start: startFetchApp, createStore: createTinyStore })
