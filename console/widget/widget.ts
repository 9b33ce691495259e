/**
 * The one-tag widget: `<script src="https://kefu.example.com/widget.js" data-channel="<channelId>" async></script>`.
 * The Kefu server is the origin the script came from. Options on the tag: `data-channel` (else the
 * page's `?channel=`), `data-mode="fullscreen"` for the H5 page, `data-locale="en"` (else the browser's).
 */
import { pickLocale, setLocale } from '../i18n/i18n.ts';
import { ChatSession } from './chat-session.ts';
import { WidgetApi } from './data/widget-api.ts';
import './kf-widget.ts';

function mountWidget(): void {
  const script =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');
  const origin = script?.src ? new URL(script.src, location.href).origin : location.origin;
  const channelId = script?.dataset['channel'] ?? new URLSearchParams(location.search).get('channel');
  const mode = script?.dataset['mode'] === 'fullscreen' ? 'fullscreen' : 'float';
  setLocale(pickLocale(script?.dataset['locale'] ?? navigator.language));

  const element = document.createElement('kf-widget');
  element.mode = mode;
  if (channelId) {
    const api = new WidgetApi(origin);
    // What an agent sees about the visit; `device` tells H5 from PC in the console's channel label.
    const profile = {
      device: mode === 'fullscreen' ? 'h5' : 'pc',
      page: location.href.slice(0, 500),
      title: document.title.slice(0, 200),
      referrer: document.referrer.slice(0, 500) || undefined,
      language: navigator.language.slice(0, 20),
    };
    element.api = api;
    element.session = new ChatSession(api, channelId, profile);
  }
  const attach = () => document.body.append(element);
  if (document.body) attach();
  else addEventListener('DOMContentLoaded', attach, { once: true });
}

if (!document.querySelector('kf-widget')) mountWidget();
