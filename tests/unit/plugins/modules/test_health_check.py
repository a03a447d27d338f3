# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""health_check module against a real HTTP server on 127.0.0.1 (200, 500, slow, release header, error logs)."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from ansible_collections.modwsgi.django.plugins.modules import health_check
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module


class FakeApache(http.server.ThreadingHTTPServer):
    """Answers per Host header: ``behaviour[host](hit number)`` -> (status, release or None, seconds to wait)."""

    daemon_threads = True

    def __init__(self):
        http.server.ThreadingHTTPServer.__init__(self, ('127.0.0.1', 0), Handler)
        self.behaviour = {}
        self.error_logs = {}
        self.requests = []
        self.lock = threading.Lock()
        self.running = 0
        self.most_running = 0

    def answer(self, host, path):
        with self.lock:
            self.requests.append((host, path))
            hit = sum(1 for seen, _path in self.requests if seen == host)
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            status, release, wait = self.behaviour.get(host, lambda n: (404, None, 0))(hit)
            if wait:
                time.sleep(wait)
            if status >= 500 and host in self.error_logs:  # what mod_wsgi writes behind a 500
                with open(self.error_logs[host], 'a') as handle:
                    handle.write('[wsgi:error] Traceback (most recent call last): hit %d of %s\n' % (hit, host))
                    handle.write('[wsgi:error] ZeroDivisionError: division by zero\n')
            return status, release
        finally:
            with self.lock:
                self.running -= 1


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status, release = self.server.answer(self.headers['Host'], self.path)
        body = b'answer %d' % status
        self.send_response(status)
        if release is not None and self.headers.get('X-Modwsgi-Health') == '1':
            self.send_header('X-Modwsgi-Release', release)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def always(status, release=None, wait=0):
    def behave(_hit):
        return status, release, wait
    return behave


def after(failures, status=200):
    """HTTP 503 for the first ``failures`` hits, then ``status``."""
    def behave(hit):
        return (503 if hit <= failures else status), None, 0
    return behave


@pytest.fixture
def server():
    srv = FakeApache()
    thread = threading.Thread(target=srv.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def check(capsys, server, sites, **extra):
    args = {'sites': sites, 'port': server.server_address[1], 'retries': 2, 'delay': 0, 'timeout': 5}
    args.update(extra)
    return run_module(health_check.main, capsys, args)


def test_every_site_answers_ok(capsys, server):
    server.behaviour = {'shop.test': always(200), 'www.test': always(302)}
    sites = [{'name': 'shop', 'host': 'shop.test', 'path': '/healthz/'},
             {'name': 'blog', 'server_name': 'www.test', 'health_url_path': '/blog/healthz/', 'mount': '/blog'}]
    code, result = check(capsys, server, sites)
    assert code == 0 and result['changed'] is False and 'failed' not in result
    assert result['sites'] == {'shop': 200, 'blog': 302}
    assert sorted(server.requests) == [('shop.test', '/healthz/'), ('www.test', '/blog/healthz/')]


def test_path_defaults_to_slash_and_check_mode_polls_too(capsys, server):
    server.behaviour = {'shop.test': always(200)}
    code, result = check(capsys, server, [{'name': 'shop', 'host': 'shop.test'}], _ansible_check_mode=True)
    assert code == 0 and result['sites'] == {'shop': 200}
    assert server.requests == [('shop.test', '/')]


def test_a_site_that_recovers_within_the_retries_is_ok(capsys, server):
    server.behaviour = {'shop.test': after(2)}
    code, result = check(capsys, server, [{'name': 'shop', 'host': 'shop.test'}], retries=3)
    assert code == 0 and result['sites'] == {'shop': 200} and len(server.requests) == 3


def test_failure_lists_every_failing_site_and_polls_each_to_the_end(capsys, server):
    server.behaviour = {'shop.test': always(200), 'blog.test': always(500), 'wiki.test': after(5)}
    sites = [{'name': 'wiki', 'host': 'wiki.test'}, {'name': 'shop', 'host': 'shop.test'}, {'name': 'blog', 'host': 'blog.test'}]
    code, result = check(capsys, server, sites, retries=3)
    assert code == 1 and result['failed'] is True
    assert result['sites'] == {'shop': 200}
    assert sorted(result['failed_sites']) == ['blog', 'wiki']
    assert result['failed_sites']['blog'] == 'health check / on the site failed after 3 tries: HTTP 500: answer 500'
    assert result['failed_sites']['wiki'] == 'health check / on the site failed after 3 tries: HTTP 503: answer 503'
    assert result['msg'] == ('health check failed for 2 of 3 sites: site blog: %s; site wiki: %s'
                             % (result['failed_sites']['blog'], result['failed_sites']['wiki']))
    hosts = [host for host, _path in server.requests]
    assert hosts.count('blog.test') == 3 and hosts.count('wiki.test') == 3 and hosts.count('shop.test') == 1


def test_a_site_that_does_not_answer_fails(capsys, server):
    import socket

    closed = socket.socket()
    closed.bind(('127.0.0.1', 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there any more
    code, result = run_module(health_check.main, capsys, {'sites': [{'name': 'shop', 'host': 'shop.test'}], 'port': port,
                                                          'retries': 1, 'delay': 0})
    assert code == 1 and list(result['failed_sites']) == ['shop']
    assert result['failed_sites']['shop'].startswith('health check / on the site failed after 1 tries: HTTP 0: ')
    assert server.requests == []


def test_an_answer_slower_than_the_timeout_is_a_failure(capsys, server):
    server.behaviour = {'slow.test': always(200, wait=1.5), 'fast.test': always(200)}
    code, result = check(capsys, server, [{'name': 'slow', 'host': 'slow.test'}, {'name': 'fast', 'host': 'fast.test'}],
                         retries=1, timeout=0.3)
    assert code == 1 and result['sites'] == {'fast': 200}
    assert 'timed out' in result['failed_sites']['slow']
    code, result = check(capsys, server, [{'name': 'slow', 'host': 'slow.test'}], retries=1, timeout=5)
    assert code == 0 and result['sites'] == {'slow': 200}


def test_the_answer_must_come_from_the_expected_release(capsys, server):
    server.behaviour = {'shop.test': always(200, release='0123456789ab'), 'blog.test': always(200, release='aaaaaaaaaaaa')}
    sites = [{'name': 'shop', 'host': 'shop.test', 'release': '0123456789ab'},
             {'name': 'blog', 'host': 'blog.test', 'release': 'bbbbbbbbbbbb'}]
    code, result = check(capsys, server, sites)
    assert code == 1 and result['sites'] == {'shop': 200}
    want = 'health check / on the site failed after 2 tries: HTTP 200 from release aaaaaaaaaaaa, waiting for bbbbbbbbbbbb'
    assert result['failed_sites'] == {'blog': want}


def test_failure_message_shows_what_each_site_wrote_to_its_error_log(capsys, server, tmp_path):
    blog_log = tmp_path / 'modwsgi-blog.test-error.log'
    blog_log.write_text('[wsgi:error] an old traceback from yesterday\n')
    wiki_log = tmp_path / 'modwsgi-wiki.test-error.log'
    wiki_log.write_text('[notice] untouched\n')
    server.error_logs = {'blog.test': str(blog_log)}
    server.behaviour = {'shop.test': always(200), 'blog.test': always(500), 'wiki.test': always(404), 'new.test': always(500)}
    sites = [{'name': n, 'host': '%s.test' % n} for n in ('shop', 'blog', 'wiki', 'new')]
    code, result = check(capsys, server, sites, log_dir=str(tmp_path))
    assert code == 1 and sorted(result['failed_sites']) == ['blog', 'new', 'wiki']
    msg = result['msg']
    blog_part = msg[msg.index('site blog: '):msg.index('; site new: ')]
    assert 'Error log %s (last lines written during the check):\n' % blog_log in blog_part
    assert 'Traceback (most recent call last): hit 1 of blog.test' in blog_part
    assert 'hit 2 of blog.test' in blog_part and 'ZeroDivisionError: division by zero' in blog_part
    assert 'an old traceback from yesterday' not in msg
    assert msg.endswith('site wiki: health check / on the site failed after 2 tries: HTTP 404: answer 404 '
                        'Nothing was written to the error log %s during the check.' % wiki_log)
    assert 'Nothing was written to the error log %s during the check.' % (tmp_path / 'modwsgi-new.test-error.log') in msg
    assert 'shop' not in result['failed_sites'] and 'site shop' not in msg


def test_without_log_dir_no_log_is_read(capsys, server):
    server.behaviour = {'blog.test': always(500)}
    code, result = check(capsys, server, [{'name': 'blog', 'host': 'blog.test'}])
    assert code == 1 and 'error log' not in result['msg'].lower()


def together(barrier):
    """HTTP 200 once ``barrier.parties`` requests are being answered at the same time, else (after 3 s) HTTP 500."""
    def behave(_hit):
        try:
            barrier.wait(3)
        except threading.BrokenBarrierError:
            return 500, None, 0
        return 200, None, 0
    return behave


def test_sites_are_polled_in_parallel(capsys, server):
    barrier = threading.Barrier(6)
    server.behaviour = dict(('s%d.test' % i, together(barrier)) for i in range(6))
    sites = [{'name': 's%d' % i, 'host': 's%d.test' % i} for i in range(6)]
    code, result = check(capsys, server, sites, parallel=6, retries=1)
    assert code == 0, result['msg']
    assert result['sites'] == dict(('s%d' % i, 200) for i in range(6))
    assert server.most_running == 6


def test_one_at_a_time_cannot_pass_a_check_that_needs_parallel_polls(capsys, server):
    barrier = threading.Barrier(2)
    server.behaviour = {'a.test': together(barrier), 'b.test': together(barrier)}
    code, result = check(capsys, server, [{'name': 'a', 'host': 'a.test'}, {'name': 'b', 'host': 'b.test'}], parallel=1, retries=1)
    assert code == 1 and sorted(result['failed_sites']) == ['a', 'b'] and server.most_running == 1


def test_parallel_limits_how_many_sites_are_polled_at_once(capsys, server):
    barrier = threading.Barrier(2)
    server.behaviour = dict(('s%d.test' % i, together(barrier)) for i in range(4))
    sites = [{'name': 's%d' % i, 'host': 's%d.test' % i} for i in range(4)]
    code, result = check(capsys, server, sites, parallel=2, retries=1)
    assert code == 0 and len(result['sites']) == 4
    assert server.most_running == 2


@pytest.mark.parametrize('site', [
    {'host': 'shop.test'},
    {'name': 'shop'},
    {'name': 'shop', 'host': 'shop.test', 'path': 'healthz/'},
    {'name': 'shop', 'host': 'shop.test', 'path': 7},
    {'name': 3, 'host': 'shop.test'},
])
def test_a_site_without_name_host_or_absolute_path_fails_naming_its_index(capsys, server, site):
    code, result = check(capsys, server, [{'name': 'ok', 'host': 'ok.test'}, site])
    assert code == 1
    assert result['msg'].startswith('health_check: sites[1] needs a name, a host (or server_name) and a path starting with /')
    assert server.requests == []  # nothing is polled before every site is valid


@pytest.mark.parametrize('args, words', [
    ({}, 'sites'),
    ({'sites': [], 'scheme': 'gopher'}, 'scheme'),
    ({'sites': [], 'port': 'eighty'}, 'port'),
])
def test_argument_validation(capsys, args, words):
    code, result = run_module(health_check.main, capsys, args)
    assert code == 1 and words in result['msg']
