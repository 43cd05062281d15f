// Must run before any module that formats with the system locale at load time.
import './lib/locale-guard';
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('Berth: #app element missing from index.html');

export default mount(App, { target });
