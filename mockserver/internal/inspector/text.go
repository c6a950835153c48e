package inspector

import (
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/timeline"
)

// uiText is every string the inspector shows, in one language.
type uiText struct {
	Lang, Other, OtherName string // the page's language, the other one and its name
	Title                  string
	Skip                   string
	Clock, VirtualClock    string
	RealClock              string
	Advance                string // "Advance the clock by %s" (%s: a duration)
	Customers, Customer    string
	NoCustomer             string
	Sessions, Requests     string
	Deliveries, LastSeen   string
	Open                   string
	BackToCustomers        string
	NoSession              string
	Session, Login, State  string
	Steps                  string
	Timeline, Close        string
	WholeJournal           string
	Webhooks, NoDelivery   string
	Attempts, Attempt      string
	Status, Latency        string
	Signature, Unsigned    string
	Time, Error, Next      string
	Resend, Fire, Resent   string
	Logins, Behaviour      string
	Username, Password     string
	Institution, Answers   string
	Prompts, NoMFA         string
	Cached                 string
	TokenHeading           string
	TokenHelp, TokenLabel  string
	TokenSave              string
	Live, Offline          string
	PickEntry              string
	AnswerBody, Payload    string // the headings of a body in the entry view
	PayloadKept            string // where a body comes from, or why there is none
	PayloadGone            string
	NoAnswerSent           string
	Envelope, Standard     string
	TokenNotKept           string
	Rerendered, NotKept    string
	Gone                   string            // %s: the RequestId
	BodyCut                string            // %d KiB shown, %d bytes in all
	States                 map[string]string // by state key
	TL                     timeline.Labels
}

// uiCatalog is the message catalog of the inspector: English (the
// default) and French (lang=fr), like the Connect page's. It is read-only.
var uiCatalog = map[string]*uiText{
	"en": {
		Lang: "en", Other: "fr", OtherName: "Français",
		Title: "flinks-mock inspector", Skip: "Skip to the content",
		Clock: "Server clock", VirtualClock: "virtual", RealClock: "real",
		Advance:   "Advance the clock by %s",
		Customers: "Customers", Customer: "Customer", NoCustomer: "No customer has called the mock yet.",
		Sessions: "Sessions", Requests: "Requests", Deliveries: "Webhook deliveries", LastSeen: "Last request",
		Open: "Open", BackToCustomers: "All customers",
		NoSession: "No session yet.", Session: "Session", Login: "Login", State: "State", Steps: "Flow of the session",
		Timeline: "Timeline", Close: "Close", WholeJournal: "Timeline of every request of the customer",
		Webhooks: "Webhooks", NoDelivery: "No webhook delivery yet.",
		Attempts: "Attempts", Attempt: "Attempt", Status: "Status", Latency: "Latency",
		Signature: "Signature (flinks-authenticity-key)", Unsigned: "unsigned",
		Time: "Time", Error: "Error", Next: "Next attempt",
		Resend: "Re-send", Fire: "Fire a webhook", Resent: "re-sent",
		Logins: "Loaded logins", Behaviour: "Behaviour", Username: "Username", Password: "Password",
		Institution: "Institution", Answers: "Answers", Prompts: "Prompts", NoMFA: "no MFA",
		Cached:       "cached",
		TokenHeading: "Admin token", TokenHelp: "This server has an admin token: give it to see its customers. It stays in this tab only.",
		TokenLabel: "Admin token (--admin-token)", TokenSave: "Use this token",
		Live: "Live", Offline: "Reconnecting…",
		PickEntry:  "Select an arrow of the timeline to see its request and answer.",
		AnswerBody: "Response body", Payload: "Payload of the delivery",
		PayloadKept:  "The body every attempt of this delivery sends, as the delivery keeps it. Secrets redacted, account numbers cut to their last four digits.",
		PayloadGone:  "The delivery is no longer kept (its customer was reset, or the bound of deliveries forgot it): its payload is gone.",
		NoAnswerSent: "No answer was sent.",
		Envelope:     "Rebuilt from the journal, which keeps no body: the error envelope of its status, FlinksCode, message and RequestId.",
		Standard:     "Rebuilt from the journal, which keeps no body: the standard body of its FlinksCode and RequestId (a server started with --shapes varied may have sent fewer fields).",
		TokenNotKept: "Rebuilt from the journal, which keeps no body: the token issued is never kept; its short hash is the token reference above.",
		Rerendered:   "Re-rendered now from the login's scenario for this RequestId, with the options of its last GetAccountsDetail: not the recorded bytes, which the journal does not keep. Secrets redacted, account numbers cut to their last four digits.",
		NotKept:      "The journal keeps no body of this answer; what it keeps of it is above.",
		Gone:         "The journal keeps no body of this answer, and it can no longer be re-rendered: the session %s is gone (reset, forgotten past the bound of sessions, or reloaded).",
		BodyCut:      "Cut: the first %d KiB of %d bytes.",
		States: map[string]string{
			stateWaiting: "waiting for MFA", stateAuthorized: "authorized", stateProcessing: "processing",
			stateReady: "ready", stateExpired: "expired",
		},
		TL: timeline.English,
	},
	"fr": {
		Lang: "fr", Other: "en", OtherName: "English",
		Title: "Inspecteur flinks-mock", Skip: "Aller au contenu",
		Clock: "Horloge du serveur", VirtualClock: "virtuelle", RealClock: "réelle",
		Advance:   "Avancer l’horloge de %s",
		Customers: "Clients", Customer: "Client", NoCustomer: "Aucun client n’a encore appelé le mock.",
		Sessions: "Sessions", Requests: "Requêtes", Deliveries: "Livraisons de webhooks", LastSeen: "Dernière requête",
		Open: "Ouvrir", BackToCustomers: "Tous les clients",
		NoSession: "Aucune session pour l’instant.", Session: "Session", Login: "Connexion", State: "État", Steps: "Déroulement de la session",
		Timeline: "Chronologie", Close: "Fermer", WholeJournal: "Chronologie de toutes les requêtes du client",
		Webhooks: "Webhooks", NoDelivery: "Aucune livraison de webhook pour l’instant.",
		Attempts: "Tentatives", Attempt: "Tentative", Status: "Statut", Latency: "Latence",
		Signature: "Signature (flinks-authenticity-key)", Unsigned: "non signé",
		Time: "Heure", Error: "Erreur", Next: "Prochaine tentative",
		Resend: "Renvoyer", Fire: "Envoyer un webhook", Resent: "renvoyée",
		Logins: "Connexions chargées", Behaviour: "Comportement", Username: "Nom d’utilisateur", Password: "Mot de passe",
		Institution: "Institution", Answers: "Réponses", Prompts: "Questions", NoMFA: "sans MFA",
		Cached:       "en cache",
		TokenHeading: "Jeton d’administration", TokenHelp: "Ce serveur a un jeton d’administration : donnez-le pour voir ses clients. Il reste dans cet onglet seulement.",
		TokenLabel: "Jeton d’administration (--admin-token)", TokenSave: "Utiliser ce jeton",
		Live: "En direct", Offline: "Reconnexion…",
		PickEntry:  "Choisissez une flèche de la chronologie pour voir sa requête et sa réponse.",
		AnswerBody: "Corps de la réponse", Payload: "Contenu de la livraison",
		PayloadKept:  "Le corps qu’envoie chaque tentative de cette livraison, tel que la livraison le garde. Secrets masqués, numéros de compte réduits à leurs quatre derniers chiffres.",
		PayloadGone:  "La livraison n’est plus gardée (client réinitialisé, ou oubliée pour rester dans la limite des livraisons) : son contenu est perdu.",
		NoAnswerSent: "Aucune réponse n’a été envoyée.",
		Envelope:     "Reconstruit à partir du journal, qui ne garde aucun corps : l’enveloppe d’erreur de son statut, de son FlinksCode, de son message et de son RequestId.",
		Standard:     "Reconstruit à partir du journal, qui ne garde aucun corps : le corps standard de son FlinksCode et de son RequestId (un serveur lancé avec --shapes varied a pu envoyer moins de champs).",
		TokenNotKept: "Reconstruit à partir du journal, qui ne garde aucun corps : le jeton émis n’est jamais gardé ; son empreinte courte est la référence du jeton ci-dessus.",
		Rerendered:   "Rendu de nouveau maintenant à partir du scénario de la connexion pour ce RequestId, avec les options de son dernier GetAccountsDetail : ce ne sont pas les octets envoyés, que le journal ne garde pas. Secrets masqués, numéros de compte réduits à leurs quatre derniers chiffres.",
		NotKept:      "Le journal ne garde pas le corps de cette réponse ; ce qu’il en garde est ci-dessus.",
		Gone:         "Le journal ne garde pas le corps de cette réponse, et il ne peut plus être rendu de nouveau : la session %s n’existe plus (réinitialisée, oubliée au-delà de la limite des sessions, ou rechargée).",
		BodyCut:      "Coupé : les %d premiers Kio sur %d octets.",
		States: map[string]string{
			stateWaiting: "attend la MFA", stateAuthorized: "autorisée", stateProcessing: "en traitement",
			stateReady: "prête", stateExpired: "expirée",
		},
		TL: timeline.French,
	},
}

// textFor returns the catalog of lang ("fr" or "en"); without one, the
// first language of Accept-Language that has one; else English.
func textFor(lang, acceptLanguage string) *uiText {
	if t, ok := uiCatalog[lang]; ok {
		return t
	}
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if t, ok := uiCatalog[base]; ok {
			return t
		}
	}
	return uiCatalog["en"]
}
