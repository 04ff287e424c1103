extension ConsolePage {
    /// The page's markup: a header, the error banner, and one section per view (sign-in, the list with the upload panel,
    /// a video). The script shows one view at a time and fills it; nothing here is shown before it runs.
    static let body = #"""
        <header>
          <h1><a href="#/videos">VideoQueue</a></h1>
          <span id="who" class="muted"></span>
          <button id="signout" type="button" hidden>Sign out</button>
        </header>
        <div id="error" role="alert" hidden><span id="error-text"></span> <button id="error-close" type="button" aria-label="Dismiss">×</button></div>
        <div id="notice" role="status" hidden></div>
        <main>
        <section id="signin" hidden>
          <h2>Sign in</h2>
          <form id="key-form" autocomplete="off">
            <label for="key">API key</label>
            <input id="key" type="password" placeholder="vq_…" spellcheck="false">
            <button id="key-submit" type="submit">Use this key</button>
            <p id="key-error" class="error" role="alert"></p>
            <p class="muted">The key is kept in this tab's session storage only: it is gone when the tab closes or on sign out.</p>
          </form>
        </section>
        <section id="list-view" hidden>
          <div id="upload-panel">
            <h2>Upload</h2>
            <div id="drop" tabindex="0" role="button" aria-label="Choose a video">Drop videos here, or click to choose
              <input id="file" type="file" accept="video/*" multiple hidden></div>
            <div class="row">
              <label>Title <input id="title" type="text" maxlength="500" placeholder="the file's name"></label>
              <fieldset id="jobs"><legend>Jobs</legend></fieldset>
            </div>
            <p class="muted" id="upload-mode"></p>
            <ul id="uploads"></ul>
          </div>
          <h2>Videos <button id="refresh" type="button" class="small">Refresh</button></h2>
          <p id="empty" class="muted" hidden>No videos yet.</p>
          <ul id="videos"></ul>
          <button id="more" type="button" hidden>More</button>
        </section>
        <section id="video-view" hidden>
          <p><a href="#/videos">← All videos</a></p>
          <h2 id="video-title"></h2>
          <div class="status-line"><span id="video-status" class="badge"></span> <span id="video-stage" class="muted"></span>
            <progress id="video-progress" max="100" value="0" hidden></progress></div>
          <p id="video-error" class="error" role="alert" hidden></p>
          <div class="actions">
            <button id="cancel" type="button">Cancel</button>
            <button id="retry" type="button">Retry</button>
            <button id="delete" type="button" class="danger">Delete</button>
          </div>
          <div class="media">
            <div id="player-box"></div>
            <div><div id="sprite-box"></div><h3>Details</h3><dl id="video-meta"></dl></div>
          </div>
          <h3>Outputs</h3>
          <div id="outputs"></div>
        </section>
        </main>
        """#
}
