/** The adapter suite over the Node bridge: a plain `node:http` server with a hand router. */
import { describeAdapter } from '@auth/core/testing'
import { startNodeApp } from './node-app.js'
import { createTinyStore } from './tiny-store.js'

describeAdapter('node:http bridge', { start: startNodeApp, createStore: createTinyStore })
