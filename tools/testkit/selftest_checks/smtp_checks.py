"""The SMTP sink (smtp_sink.py)."""

import json
import os
import smtplib
import tempfile

from .harness import check, start, stop


def smtp_checks():
    @check('smtp sink: message lands in the JSONL; AUTH accepted')
    def _():
        out = tempfile.mktemp(suffix='.jsonl')
        proc, sport = start('smtp_sink.py', '--out', out)
        try:
            with smtplib.SMTP('127.0.0.1', sport, timeout=10) as s:
                s.login('user', 'pass')
                s.sendmail('from@example.test', ['a@example.test',
                                                 'b@example.test'],
                           'Subject: hi\r\n\r\nhello\r\n')
            rows = [json.loads(x) for x in open(out)]
            assert len(rows) == 1
            assert rows[0]['mail_from'] == 'from@example.test'
            assert rows[0]['rcpt_tos'] == ['a@example.test',
                                           'b@example.test']
            assert 'Subject: hi' in rows[0]['data']
            assert 'hello' in rows[0]['data']
            assert rows[0]['auth_user'] == 'user'
        finally:
            stop(proc)
            os.unlink(out)

    @check('smtp sink: --fail-first 1 answers 451 once')
    def _():
        out = tempfile.mktemp(suffix='.jsonl')
        proc, sport = start('smtp_sink.py', '--out', out, '--fail-first', '1')
        try:
            with smtplib.SMTP('127.0.0.1', sport, timeout=10) as s:
                try:
                    s.sendmail('f@example.test', ['t@example.test'],
                               'Subject: 1\r\n\r\nfirst\r\n')
                    raise AssertionError('first message accepted')
                except smtplib.SMTPDataError as e:
                    assert e.smtp_code == 451, e
                s.sendmail('f@example.test', ['t@example.test'],
                           'Subject: 2\r\n\r\nsecond\r\n')
            rows = [json.loads(x) for x in open(out)]
            assert len(rows) == 1 and 'second' in rows[0]['data']
        finally:
            stop(proc)
            os.unlink(out)
