export { registerSettingsPage, settingsPageHtml, SETTINGS_ASSETS_PATH, SETTINGS_PAGE_PATH, type SettingsPageOptions } from './settings-page.js';
export { defaultWebAssetsDir, packageRoot, WEB_ASSETS, WEB_BUILD_ENTRY_POINTS, webBuildOptions } from './web-assets.js';
