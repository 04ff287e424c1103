extension ConsolePage {
    /// The page's style sheet: system fonts, one column on narrow screens, status colours on the badges.
    static let style = #"""
        * { box-sizing: border-box; }
        body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2733; background: #f6f8fa; }
        header { display: flex; align-items: center; gap: 1rem; padding: .6rem 1.5rem; background: #1d2733; color: #fff; }
        header h1 { font-size: 1.2rem; margin: 0; flex: 1; } header h1 a { color: #fff; text-decoration: none; }
        header .muted { color: #b8c4d0; }
        main { max-width: 68rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
        h2 { font-size: 1.2rem; margin: 1.2rem 0 .6rem; } h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
        a { color: #0b5cad; }
        button { padding: .4rem 1rem; font-size: .95rem; border: 1px solid #8a99a8; border-radius: 6px; background: #fff; cursor: pointer; }
        button:disabled { opacity: .45; cursor: not-allowed; }
        button.small { padding: .1rem .6rem; font-size: .8rem; } button.danger { border-color: #b00020; color: #b00020; }
        input[type=text], input[type=password] { width: 100%; padding: .45rem; border: 1px solid #8a99a8; border-radius: 6px; }
        label { font-weight: 600; }
        .muted { color: #5b6b7b; } .error { color: #b00020; font-weight: 600; }
        #error { background: #fde7ea; color: #8a0018; border-bottom: 1px solid #f1aeb8; padding: .6rem 1.5rem; }
        #error button { float: right; padding: 0 .5rem; }
        #notice { background: #e6f4ea; color: #175c2c; border-bottom: 1px solid #a8d5b5; padding: .5rem 1.5rem; }
        #signin form { max-width: 26rem; display: grid; gap: .5rem; }
        #upload-panel { background: #fff; border: 1px solid #d6dde4; border-radius: 8px; padding: .2rem 1rem 1rem; }
        #drop { border: 2px dashed #8aa; border-radius: 8px; padding: 1.2rem; text-align: center; cursor: pointer; margin-bottom: .6rem; }
        #drop.over { background: #eef7f7; border-color: #2a8a8a; }
        .row { display: grid; grid-template-columns: 1fr auto; gap: 1rem; align-items: start; }
        fieldset { border: 1px solid #d6dde4; border-radius: 6px; padding: .2rem .6rem .4rem; }
        fieldset label { font-weight: normal; margin-right: .6rem; white-space: nowrap; }
        ul { list-style: none; padding: 0; margin: 0; }
        #uploads li { display: grid; grid-template-columns: 1fr 12rem auto; gap: .8rem; align-items: center; padding: .3rem 0; border-bottom: 1px solid #eef1f4; }
        #uploads .upload-state { display: flex; flex-wrap: wrap; gap: .2rem .6rem; align-items: center; justify-content: flex-end; }
        #uploads .upload-state .error { flex-basis: 100%; text-align: right; }
        #videos li { display: grid; grid-template-columns: 96px 1fr 8rem 12rem; gap: 1rem; align-items: center; padding: .5rem; background: #fff;
          border: 1px solid #d6dde4; border-radius: 8px; margin-bottom: .5rem; }
        .thumb { width: 96px; height: 54px; object-fit: cover; background: #dde3e9; border-radius: 4px; display: block; }
        .title a { font-weight: 600; text-decoration: none; } .title small { display: block; color: #5b6b7b; }
        progress { width: 100%; height: .9rem; }
        .badge { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 600; background: #e3e8ee; color: #334; }
        .badge.completed { background: #d5f0dc; color: #175c2c; } .badge.failed { background: #fde0e4; color: #8a0018; }
        .badge.processing { background: #dbe9fb; color: #0b4a8a; } .badge.queued, .badge.pending { background: #fff1cc; color: #6b4e00; }
        .badge.cancelled { background: #e8e8e8; color: #555; }
        .status-line { display: flex; gap: .8rem; align-items: center; } .status-line progress { max-width: 20rem; }
        .actions { display: flex; gap: .6rem; margin: .8rem 0; }
        .media { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; }
        .media video, .media img { width: 100%; border-radius: 6px; background: #000; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; } dt { font-weight: 600; } dd { margin: 0; word-break: break-all; }
        .group { background: #fff; border: 1px solid #d6dde4; border-radius: 8px; padding: .4rem .8rem; margin-bottom: .6rem; }
        .group h4 { margin: .2rem 0 .4rem; } .group li { display: flex; justify-content: space-between; gap: 1rem; padding: .15rem 0; }
        @media (max-width: 720px) {
          #videos li { grid-template-columns: 72px 1fr; } .media, .row { grid-template-columns: 1fr; }
          #uploads li { grid-template-columns: 1fr; }
        }
        """#
}
