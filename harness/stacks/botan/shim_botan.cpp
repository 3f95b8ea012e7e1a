/* shim_botan.cpp — the Botan 2.19 shim (Debian libbotan-2-dev), in C++ (the
 * library's only API) on the shared C shim code (../common). See
 * ../README.md for the contract and NOTES.md for the source behind every
 * behaviour recorded here. Botan 2 speaks TLS up to 1.2: TLS 1.3 cases are
 * answered "unsupported" by the common code.
 *
 * Setting the list (server): Botan's server builds the CertificateRequest
 * from Credentials_Manager::trusted_certificate_authorities("tls-server",
 * sni): the all_subjects() of every Certificate_Store it returns, in order
 * (Server::session_create, tls_server.cpp). The same stores are the
 * verification roots of the client's chain.
 *   explicit     one store of our own (Names_Store) whose all_subjects() is
 *                the list file's DNs, each decoded with X509_DN::decode_from
 *                (a DN that does not decode, or leaves trailing bytes, is an
 *                observation error and no handshake is run). Its find_cert
 *                finds nothing, so the client's chain is verified against
 *                the request's trust bundle instead (tls_verify_cert_chain
 *                is overridden to pass that store).
 *   trust-store  a Certificate_Store_In_Memory holding calist_pem, for the
 *                list and for verification, as an application using Botan's
 *                stores does.
 *   none         no store: Policy::request_client_certificate_authentication
 *                (true here) still makes Botan send a CertificateRequest,
 *                with an empty list.
 *
 * Reading the list (client): Credentials_Manager::find_cert_chain(
 * cert_key_types, acceptable_CAs, "tls-client", hostname) gets the list as
 * X509_DN objects; each is reported as X509_DN::BER_encode(), the DER Botan
 * gives for it (see NOTES.md: the content octets as received inside a
 * re-encoded SEQUENCE header).
 *   native     Botan's own Credentials_Manager::find_cert_chain, which drops
 *              the list and asks cert_chain(cert_key_types, ...): ours
 *              answers with the first credential if its key type is among
 *              cert_key_types (as Botan's cli Basic_Credentials_Manager).
 *   by-issuer  the first credential whose issuer DN (raw_issuer_dn, the
 *              certificate's own bytes) equals a reported DN; none → an
 *              empty Certificate.
 *
 * Observation: received alerts from Callbacks::tls_alert; sent alerts from
 * the records the shim itself writes (content type 21; the description
 * from the plaintext, or after ChangeCipherSpec from the exception Botan
 * sent it for, per Channel::received_data); the key log from
 * tls_inspect_handshake_msg (Client_Hello::random) and
 * tls_session_established (Session::master_secret); sent_cert and
 * peer_cert from the Certificate messages tls_inspect_handshake_msg shows. */
#include <botan/auto_rng.h>
#include <botan/ber_dec.h>
#include <botan/certstor.h>
#include <botan/credentials_manager.h>
#include <botan/data_src.h>
#include <botan/pkcs8.h>
#include <botan/tls_callbacks.h>
#include <botan/tls_client.h>
#include <botan/tls_exceptn.h>
#include <botan/tls_messages.h>
#include <botan/tls_policy.h>
#include <botan/tls_server.h>
#include <botan/tls_session_manager.h>
#include <botan/version.h>
#include <botan/x509cert.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" {
#include "shim.h"
}

namespace {

using Botan::X509_Certificate;
using Botan::X509_DN;
namespace TLS = Botan::TLS;

constexpr uint8_t REC_ALERT = 21;
constexpr uint8_t REC_CCS = 20;

/* ---- loading, cached by file identity ----------------------------------- */

std::string file_id(const char *path)
{
    char *buf = nullptr;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        throw std::runtime_error("open_memstream failed");
    int bad = shim_id_add(m, "f", path);
    int saved = errno;
    std::fclose(m);
    std::string id = buf ? buf : "";
    std::free(buf);
    if (bad)
        throw std::runtime_error(std::string("cannot read ") + path + ": " + std::strerror(saved));
    return id;
}

std::vector<X509_Certificate> read_certs(const char *path)
{
    Botan::DataSource_Stream in(path);
    std::vector<X509_Certificate> v;
    while (!in.end_of_data()) {
        try {
            v.emplace_back(in);
        } catch (const Botan::Decoding_Error &) {
            break; /* trailing text after the last certificate */
        }
    }
    if (v.empty())
        throw std::runtime_error(std::string("no certificate in ") + path);
    return v;
}

struct Loaded {
    std::vector<X509_Certificate> certs;
    std::shared_ptr<Botan::Private_Key> key;
    std::shared_ptr<Botan::Certificate_Store_In_Memory> store;
};

/* A small cache: trust-store cases load hundreds of certificates. */
std::map<std::string, std::shared_ptr<Loaded>> g_cache;

std::shared_ptr<Loaded> load_certs(const char *path)
{
    std::string id = "c" + file_id(path);
    auto it = g_cache.find(id);
    if (it != g_cache.end())
        return it->second;
    if (g_cache.size() >= 16)
        g_cache.clear();
    auto l = std::make_shared<Loaded>();
    l->certs = read_certs(path);
    l->store = std::make_shared<Botan::Certificate_Store_In_Memory>();
    for (const auto &c : l->certs)
        l->store->add_certificate(c);
    g_cache[id] = l;
    return l;
}

std::shared_ptr<Botan::Private_Key> load_key(const char *path)
{
    std::string id = "k" + file_id(path);
    auto it = g_cache.find(id);
    if (it != g_cache.end())
        return it->second->key;
    auto l = std::make_shared<Loaded>();
    Botan::DataSource_Stream in(path);
    l->key.reset(Botan::PKCS8::load_key(in).release());
    g_cache[id] = l;
    return l->key;
}

/* Names_Store: a Certificate_Store whose subjects are an explicit list of
 * names and which holds no certificate. */
class Names_Store final : public Botan::Certificate_Store {
  public:
    explicit Names_Store(std::vector<X509_DN> names) : m_names(std::move(names)) {}
    std::vector<X509_DN> all_subjects() const override { return m_names; }
    std::shared_ptr<const X509_Certificate> find_cert(const X509_DN &, const std::vector<uint8_t> &) const override
    {
        return nullptr;
    }
    std::vector<std::shared_ptr<const X509_Certificate>> find_all_certs(const X509_DN &,
                                                                         const std::vector<uint8_t> &) const override
    {
        return {};
    }
    std::shared_ptr<const X509_Certificate> find_cert_by_pubkey_sha1(const std::vector<uint8_t> &) const override
    {
        return nullptr;
    }
    std::shared_ptr<const X509_Certificate> find_cert_by_raw_subject_dn_sha256(const std::vector<uint8_t> &) const override
    {
        return nullptr;
    }
    std::shared_ptr<const Botan::X509_CRL> find_crl_for(const X509_Certificate &) const override { return nullptr; }

  private:
    std::vector<X509_DN> m_names;
};

/* ---- policy ------------------------------------------------------------- */

class Shim_Policy final : public TLS::Policy {
  public:
    explicit Shim_Policy(bool require) : m_require(require) {}
    bool allow_tls10() const override { return false; }
    bool allow_tls11() const override { return false; }
    bool allow_tls12() const override { return true; }
    bool allow_dtls10() const override { return false; }
    bool allow_dtls12() const override { return false; }
    bool request_client_certificate_authentication() const override { return true; }
    bool require_client_certificate_authentication() const override { return m_require; }
    /* The harness's PKI has no CRL or OCSP responder; Botan's default
     * (true, tls_policy.cpp) fails every chain with "No revocation data". */
    bool require_cert_revocation_info() const override { return false; }

  private:
    bool m_require;
};

/* ---- one connection ----------------------------------------------------- */

struct Cred {
    std::vector<X509_Certificate> chain;
    std::shared_ptr<Botan::Private_Key> key;
    std::vector<uint8_t> issuer; /* raw_issuer_dn(): the certificate's own bytes */
    std::vector<uint8_t> leaf;   /* BER_encode() of the leaf */
};

class Conn final : public TLS::Callbacks, public Botan::Credentials_Manager {
  public:
    Conn(const shim_case *c, shim_obs *obs, int fd) : m_c(c), m_obs(obs), m_fd(fd) {}

    /* configuration */
    std::vector<X509_Certificate> server_chain;
    std::shared_ptr<Botan::Private_Key> server_key;
    std::vector<Botan::Certificate_Store *> list_stores; /* server: the list */
    Botan::Certificate_Store *verify_store = nullptr;    /* verification roots */
    std::vector<Cred> creds;

    /* state */
    bool got_x = false, got_other = false;
    bool io_failed = false;
    int io_errno = 0;
    bool peer_closed = false;
    bool ccs_sent = false;
    bool alert_record_sent = false;
    int alert_plain = -1; /* description of a plaintext alert we sent */
    bool cr_noted = false, chose = false;
    bool oom = false;
    std::vector<uint8_t> client_random;

    /* ---- TLS::Callbacks ---- */
    void tls_emit_data(const uint8_t data[], size_t size) override
    {
        scan_records(data, size);
        while (size > 0 && !io_failed) {
            ssize_t w = ::write(m_fd, data, size);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                io_failed = true;
                io_errno = errno;
                break;
            }
            data += w;
            size -= static_cast<size_t>(w);
        }
    }

    void tls_record_received(uint64_t, const uint8_t data[], size_t size) override
    {
        if (size >= 1 && data[0] == 'x' && !got_x)
            got_x = true;
        else if (size)
            got_other = true;
    }

    void tls_alert(TLS::Alert alert) override
    {
        if (alert.type() == TLS::Alert::CLOSE_NOTIFY)
            peer_closed = true;
        else if (m_obs->alert_received < 0)
            m_obs->alert_received = alert.type();
    }

    bool tls_session_established(const TLS::Session &session) override
    {
        const auto &ms = session.master_secret();
        if (!client_random.empty())
            shim_keylog_secret(m_c, "CLIENT_RANDOM", client_random.data(), client_random.size(), ms.data(),
                               ms.size());
        return false; /* nothing is resumed here: don't cache */
    }

    void tls_inspect_handshake_msg(const TLS::Handshake_Message &msg) override
    {
        if (auto *ch = dynamic_cast<const TLS::Client_Hello *>(&msg)) {
            client_random = ch->random();
        } else if (dynamic_cast<const TLS::Certificate_Req *>(&msg)) {
            cr_noted = true;
        } else if (auto *cert = dynamic_cast<const TLS::Certificate *>(&msg)) {
            if (m_c->role == SHIM_CLIENT && chose)
                note_sent(*cert);
            else if (m_c->role == SHIM_SERVER && cr_noted && !m_obs->peer_cert)
                note_peer(*cert);
        }
    }

    void tls_verify_cert_chain(const std::vector<X509_Certificate> &chain,
                               const std::vector<std::shared_ptr<const Botan::OCSP::Response>> &ocsp,
                               const std::vector<Botan::Certificate_Store *> &, Botan::Usage_Type usage,
                               const std::string &hostname, const TLS::Policy &policy) override
    {
        /* The list's stores may hold no certificate (explicit): verify
         * against the verification store, with Botan's own code. */
        std::vector<Botan::Certificate_Store *> roots;
        if (verify_store)
            roots.push_back(verify_store);
        TLS::Callbacks::tls_verify_cert_chain(chain, ocsp, roots, usage, hostname, policy);
    }

    /* ---- Credentials_Manager ---- */
    std::vector<Botan::Certificate_Store *> trusted_certificate_authorities(const std::string &type,
                                                                           const std::string &) override
    {
        if (type == "tls-server")
            return list_stores;
        std::vector<Botan::Certificate_Store *> v;
        if (verify_store)
            v.push_back(verify_store);
        return v;
    }

    std::vector<X509_Certificate> cert_chain(const std::vector<std::string> &key_types, const std::string &type,
                                             const std::string &) override
    {
        if (type == "tls-server")
            return fits(server_key, key_types) ? server_chain : std::vector<X509_Certificate>();
        /* native: the first credential, if its key type was asked for */
        if (creds.empty() || !fits(creds[0].key, key_types)) {
            m_pick = -1;
            return {};
        }
        m_pick = 0;
        return creds[0].chain;
    }

    std::vector<X509_Certificate> find_cert_chain(const std::vector<std::string> &key_types,
                                                  const std::vector<X509_DN> &acceptable_CAs,
                                                  const std::string &type, const std::string &context) override
    {
        if (type != "tls-client")
            return Credentials_Manager::find_cert_chain(key_types, acceptable_CAs, type, context);
        snapshot(acceptable_CAs);
        chose = true;
        if (m_c->select == SHIM_SEL_NATIVE)
            return Credentials_Manager::find_cert_chain(key_types, acceptable_CAs, type, context);
        std::vector<const uint8_t *> iss(creds.size());
        std::vector<size_t> lens(creds.size());
        for (size_t i = 0; i < creds.size(); i++) {
            iss[i] = creds[i].issuer.data();
            lens[i] = creds[i].issuer.size();
        }
        m_pick = shim_pick_by_issuer(&m_obs->received, iss.data(), lens.data(), creds.size());
        return m_pick >= 0 ? creds[static_cast<size_t>(m_pick)].chain : std::vector<X509_Certificate>();
    }

    Botan::Private_Key *private_key_for(const X509_Certificate &cert, const std::string &type,
                                        const std::string &) override
    {
        if (type == "tls-server")
            return server_key.get();
        for (auto &cr : creds)
            if (cr.chain[0] == cert)
                return cr.key.get();
        return nullptr;
    }

  private:
    const shim_case *m_c;
    shim_obs *m_obs;
    int m_fd;
    int m_pick = -2;

    static bool fits(const std::shared_ptr<Botan::Private_Key> &key, const std::vector<std::string> &types)
    {
        if (!key)
            return false;
        std::string alg = key->algo_name();
        for (const auto &t : types)
            if (t == alg)
                return true;
        return false;
    }

    /* snapshot copies the DER Botan gives for each received DN. */
    void snapshot(const std::vector<X509_DN> &dns)
    {
        m_obs->received_exposed = true;
        cb_calist_free(&m_obs->received);
        cb_calist_init(&m_obs->received);
        for (const auto &dn : dns) {
            std::vector<uint8_t> der = dn.BER_encode();
            if (cb_calist_push(&m_obs->received, der.data(), der.size(), nullptr) != 0)
                oom = true;
        }
    }

    void note_sent(const TLS::Certificate &cert)
    {
        const auto &chain = cert.cert_chain();
        if (chain.empty()) {
            m_obs->sent_cert = -1;
            return;
        }
        std::vector<uint8_t> leaf = chain[0].BER_encode();
        m_obs->sent_cert = -2;
        for (size_t i = 0; i < creds.size(); i++)
            if (creds[i].leaf == leaf) {
                m_obs->sent_cert = static_cast<int>(i);
                break;
            }
    }

    void note_peer(const TLS::Certificate &cert)
    {
        const auto &chain = cert.cert_chain();
        if (chain.empty())
            return;
        std::vector<uint8_t> der = chain[0].BER_encode();
        m_obs->peer_cert = static_cast<uint8_t *>(std::malloc(der.size() ? der.size() : 1));
        if (!m_obs->peer_cert)
            return;
        std::memcpy(m_obs->peer_cert, der.data(), der.size());
        m_obs->peer_cert_len = der.size();
    }

    /* scan_records notes our own alert records (Botan emits whole records
     * per call, see Channel::send_record). */
    void scan_records(const uint8_t *p, size_t n)
    {
        while (n >= 5) {
            size_t len = static_cast<size_t>(p[3]) << 8 | p[4];
            if (p[0] == REC_CCS)
                ccs_sent = true;
            if (p[0] == REC_ALERT) {
                alert_record_sent = true;
                if (!ccs_sent && len == 2 && n >= 7 && alert_plain < 0 && p[6] != 0)
                    alert_plain = p[6];
            }
            if (n < 5 + len)
                break;
            p += 5 + len;
            n -= 5 + len;
        }
    }
};

/* alert_for is the alert Channel::received_data (tls_channel.cpp) sends for
 * the exception it rethrows. */
int alert_for(const std::exception &e)
{
    if (auto *t = dynamic_cast<const TLS::TLS_Exception *>(&e))
        return t->type();
    if (dynamic_cast<const Botan::Invalid_Authentication_Tag *>(&e))
        return TLS::Alert::BAD_RECORD_MAC;
    if (dynamic_cast<const Botan::Decoding_Error *>(&e))
        return TLS::Alert::DECODE_ERROR;
    return TLS::Alert::INTERNAL_ERROR;
}

Botan::RandomNumberGenerator &rng()
{
    static Botan::AutoSeeded_RNG r;
    return r;
}

std::vector<X509_DN> decode_list(const cb_calist &l)
{
    std::vector<X509_DN> v;
    for (size_t i = 0; i < l.count; i++) {
        const cb_dn &dn = l.dns[i];
        X509_DN name;
        try {
            Botan::BER_Decoder dec(dn.der, dn.len);
            dec.decode(name);
            dec.verify_end();
        } catch (const std::exception &e) {
            throw std::runtime_error("calist DN " + std::to_string(i) + (dn.label ? std::string(" ") + dn.label : "") +
                                     " (" + std::to_string(dn.len) + " bytes) does not decode as an X509_DN: " +
                                     e.what());
        }
        v.push_back(name);
    }
    return v;
}

/* drive feeds the fd's bytes to |ch| until |done| holds, the connection
 * fails, or the peer closes. Returns normally; a Botan exception escapes. */
template <class Done> void drive(TLS::Channel &ch, Conn &k, int fd, Done done)
{
    uint8_t buf[16384];
    while (!done() && !ch.is_closed() && !k.io_failed) {
        ssize_t r = ::read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            k.io_failed = true;
            k.io_errno = r < 0 ? errno : 0;
            return;
        }
        ch.received_data(buf, static_cast<size_t>(r));
    }
}

void set_io_error(Conn &k, shim_obs *obs, const char *op)
{
    char text[512];
    if (obs->alert_received >= 0)
        std::snprintf(text, sizeof(text), "%s: received fatal alert %d", op, obs->alert_received);
    else if (k.peer_closed)
        std::snprintf(text, sizeof(text), "%s: the peer sent close_notify", op);
    else if (k.io_errno == EAGAIN || k.io_errno == EWOULDBLOCK)
        std::snprintf(text, sizeof(text), "%s: timed out waiting for the peer", op);
    else if (k.io_errno)
        std::snprintf(text, sizeof(text), "%s: %s", op, std::strerror(k.io_errno));
    else
        std::snprintf(text, sizeof(text), "%s: the peer closed the connection", op);
    shim_set_error(obs, k.io_errno, text);
}

void run_case(const shim_case *c, int fd, shim_obs *obs)
{
    bool server = c->role == SHIM_SERVER;
    Conn k(c, obs, fd);
    std::unique_ptr<Names_Store> names;
    std::shared_ptr<Loaded> list_pem, trust;
    try {
        if (server) {
            auto sc = load_certs(c->cert);
            k.server_chain = sc->certs;
            k.server_key = load_key(c->key);
            if (c->source == SHIM_SRC_EXPLICIT) {
                names.reset(new Names_Store(decode_list(c->calist)));
                k.list_stores.push_back(names.get());
            } else if (c->source == SHIM_SRC_TRUST_STORE) {
                list_pem = load_certs(c->calist_pem);
                k.list_stores.push_back(list_pem->store.get());
            }
            if (c->source == SHIM_SRC_TRUST_STORE)
                k.verify_store = list_pem->store.get();
            else if (c->trust)
                k.verify_store = (trust = load_certs(c->trust))->store.get();
        } else {
            if (c->trust)
                k.verify_store = (trust = load_certs(c->trust))->store.get();
            for (size_t i = 0; i < c->n_client_creds; i++) {
                Cred cr;
                cr.chain = load_certs(c->client_creds[i].cert)->certs;
                cr.key = load_key(c->client_creds[i].key);
                cr.issuer = cr.chain[0].raw_issuer_dn();
                cr.leaf = cr.chain[0].BER_encode();
                k.creds.push_back(std::move(cr));
            }
        }
    } catch (const std::exception &e) {
        shim_set_error(obs, 0, e.what());
        return;
    }

    Shim_Policy policy(c->require_cert);
    TLS::Session_Manager_Noop sessions;
    const char *op = server ? "server handshake" : "client handshake";
    std::unique_ptr<TLS::Channel> ch;
    try {
        if (server) {
            ch.reset(new TLS::Server(k, sessions, k, policy, rng()));
            drive(*ch, k, fd, [&] { return ch->is_active(); });
            if (ch->is_active()) {
                ch->send(reinterpret_cast<const uint8_t *>("x"), 1);
                if (!k.io_failed)
                    obs->handshake_ok = true;
            }
        } else {
            ch.reset(new TLS::Client(k, sessions, k, policy, rng(), TLS::Server_Information(),
                                     TLS::Protocol_Version::TLS_V12));
            drive(*ch, k, fd, [&] { return k.got_x || k.got_other; });
            obs->handshake_ok = k.got_x;
            if (k.got_other && !k.got_x)
                shim_set_error(obs, 0, "received an unexpected application byte");
        }
        if (obs->handshake_ok)
            ch->close(); /* our close_notify; the peer's is not awaited */
        else if (!obs->has_error)
            set_io_error(k, obs, op);
    } catch (const std::exception &e) {
        std::string text = std::string(op) + ": " + e.what();
        long code = 0;
        if (auto *be = dynamic_cast<const Botan::Exception *>(&e))
            code = static_cast<long>(be->error_type());
        shim_set_error(obs, code, text.c_str());
        if (k.alert_record_sent)
            obs->alert_sent = k.alert_plain >= 0 ? k.alert_plain : alert_for(e);
    }
    if (!obs->handshake_ok && obs->alert_sent < 0 && k.alert_plain >= 0)
        obs->alert_sent = k.alert_plain;
    if (k.oom && !obs->has_error)
        shim_set_error(obs, 0, "out of memory copying the received list");
}

void b_run(const shim_case *c, int fd, shim_obs *obs)
{
    obs->alerts_exposed = true;
    try {
        run_case(c, fd, obs);
    } catch (const std::exception &e) {
        shim_set_error(obs, 0, e.what());
    }
}

const char *b_version()
{
    return Botan::version_cstr();
}

int b_init()
{
    try {
        (void)rng();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "shim-botan: cannot seed the RNG: %s\n", e.what());
        return -1;
    }
    return 0;
}

const char *const b_tls[] = {"1.2", nullptr};
const char *const b_sources[] = {"explicit", "trust-store", "none", nullptr};
const char *const b_selects[] = {"native", "by-issuer", nullptr};

} // namespace

int main(int argc, char **argv)
{
    shim_stack s;
    std::memset(&s, 0, sizeof(s));
    s.name = "botan";
    s.version = b_version;
    /* dladdr needs a function of the library itself. */
    s.library_symbol = reinterpret_cast<void (*)(void)>(&Botan::version_cstr);
    s.tls = b_tls;
    s.sources = b_sources;
    s.selects = b_selects;
    s.init = b_init;
    s.run = b_run;
    return shim_main(argc, argv, &s);
}
