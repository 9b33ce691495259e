import { pickLocale, setLocale } from '../i18n/i18n.ts';
import './shell/kf-app.ts';

setLocale(pickLocale(localStorage.getItem('kefu.locale')));
