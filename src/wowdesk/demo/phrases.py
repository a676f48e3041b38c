"""What the demo's people say around the data-set sentences, in each demo language.

The customers' requests come from xSID (a voice-assistant request the customer quotes) and
Bitext (English support questions and answers); the frames, agent replies, follow-ups and
names below were written for wowdesk and are part of the project. Pure data, no Django.

Placeholders: ``{name}`` (how the agent addresses the customer), ``{agent}`` (the agent's
name), ``{product}``, ``{utterance}`` (the quoted request), ``{serial}``, ``{order}``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    country: str  # ISO 3166 alpha-2, also the phone numbering region
    timezone: str
    currency: str
    price_factor: float  # from the USD list price
    weight: int = 1


@dataclass(frozen=True)
class LanguagePack:
    code: str
    label: str  # the language's English name, for internal notes
    # How a reply addresses the customer: "first" name, "full" name or "last" name.
    address_by: str
    family_first: bool
    space_in_name: bool
    first_names: tuple[tuple[str, str], ...]  # (as written, in Latin letters for emails)
    last_names: tuple[tuple[str, str], ...]
    regions: tuple[Region, ...]
    device_frames: tuple[str, ...]
    device_subjects: tuple[str, ...]
    device_replies: tuple[str, ...]
    thanks: tuple[str, ...]
    still_broken: tuple[str, ...]
    close_after_thanks: tuple[str, ...]
    close_after_fix: tuple[str, ...]


EN = LanguagePack(
    code="en",
    label="English",
    address_by="first",
    family_first=False,
    space_in_name=True,
    first_names=tuple(
        (n, n.lower())
        for n in [
            "James",
            "Mary",
            "Robert",
            "Patricia",
            "Michael",
            "Jennifer",
            "David",
            "Linda",
            "Emily",
            "Daniel",
            "Olivia",
            "Ethan",
            "Grace",
            "Liam",
            "Chloe",
            "Noah",
            "Hannah",
            "Ryan",
            "Megan",
            "Tyler",
        ]
    ),
    last_names=tuple(
        (n, n.lower())
        for n in [
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Miller",
            "Davis",
            "Wilson",
            "Taylor",
            "Anderson",
            "Thomas",
            "Moore",
            "Clark",
            "Walker",
            "Hughes",
            "Garcia",
            "Reyes",
            "Murphy",
            "Campbell",
            "Bennett",
        ]
    ),
    regions=(
        Region("US", "America/New_York", "USD", 1.0, 3),
        Region("US", "America/Chicago", "USD", 1.0, 2),
        Region("US", "America/Los_Angeles", "USD", 1.0, 2),
        Region("CA", "America/Toronto", "CAD", 1.35, 2),
        Region("GB", "Europe/London", "GBP", 0.8, 2),
        Region("IE", "Europe/Dublin", "EUR", 0.92, 1),
        Region("PH", "Asia/Manila", "PHP", 57.0, 1),
        Region("AU", "Australia/Sydney", "AUD", 1.5, 1),
    ),
    device_frames=(
        'Hi, my {product} doesn\'t react properly when I say: "{utterance}". It just beeps. '
        "Can you help?",
        "Hello, since the last update my {product} misunderstands this request: "
        '"{utterance}" - the answer has nothing to do with it.',
        'My {product} keeps failing on "{utterance}". I\'ve already restarted it twice. '
        "What else can I try?",
    ),
    device_subjects=(
        "{product} does not understand my request",
        "Voice assistant problem on my {product}",
    ),
    device_replies=(
        "Hi {name},\n\nthank you for the details. Please make sure your {product} runs the "
        "latest firmware (Settings → About → Check for updates), then unplug it for 30 seconds "
        'and try "{utterance}" again.\n\nIf it still fails, reply with the serial number and '
        "I'll look at the device logs.\n\nBest regards,\n{agent}",
        "Hi {name},\n\nsorry for the trouble. Version 4.2 has a known issue in the speech "
        'model that affects requests like "{utterance}". A fix is rolling out this week; you '
        "can install it now in the app under Devices → {product} → Update.\n\n"
        "Kind regards,\n{agent}",
        "Hi {name},\n\nthanks for reaching out. Could you check that the language of your "
        "{product} matches the language you speak to it? You can change it in the app under "
        'Settings → Language. After that, "{utterance}" should work.\n\nBest,\n{agent}',
    ),
    thanks=(
        "Thanks, that fixed it!",
        "Perfect, it works again. Thank you for the quick help.",
    ),
    still_broken=(
        "I did that, but it still doesn't work. The serial number is {serial}.",
        "Updated and restarted, same problem. Serial: {serial}.",
    ),
    close_after_thanks=(
        "Glad to hear it, {name}! I'll close this conversation now. Have a great day.\n\n{agent}",
    ),
    close_after_fix=(
        "Hi {name},\n\nthanks for the serial number. I've reset the voice profile on our side; "
        "please restart the device once more. I'll close this ticket for now - just reply if "
        "anything is still wrong.\n\n{agent}",
    ),
)

DE = LanguagePack(
    code="de",
    label="German",
    address_by="full",
    family_first=False,
    space_in_name=True,
    first_names=(
        ("Anna", "anna"),
        ("Lukas", "lukas"),
        ("Lena", "lena"),
        ("Felix", "felix"),
        ("Sophie", "sophie"),
        ("Jonas", "jonas"),
        ("Marie", "marie"),
        ("Paul", "paul"),
        ("Laura", "laura"),
        ("Tobias", "tobias"),
        ("Katharina", "katharina"),
        ("Jürgen", "juergen"),
    ),
    last_names=(
        ("Müller", "mueller"),
        ("Schmidt", "schmidt"),
        ("Schneider", "schneider"),
        ("Fischer", "fischer"),
        ("Weber", "weber"),
        ("Meyer", "meyer"),
        ("Wagner", "wagner"),
        ("Becker", "becker"),
        ("Hoffmann", "hoffmann"),
        ("Schäfer", "schaefer"),
        ("Koch", "koch"),
        ("Richter", "richter"),
    ),
    regions=(
        Region("DE", "Europe/Berlin", "EUR", 0.92, 6),
        Region("AT", "Europe/Vienna", "EUR", 0.92, 1),
        Region("CH", "Europe/Zurich", "CHF", 0.88, 1),
    ),
    device_frames=(
        "Hallo, mein {product} reagiert nicht richtig, wenn ich sage: „{utterance}“. Es kommt "
        "nur ein Piepton. Können Sie mir helfen?",
        "Guten Tag, seit dem letzten Update versteht mein {product} diese Anfrage falsch: "
        "„{utterance}“ – die Antwort passt überhaupt nicht.",
        "Mein {product} scheitert immer wieder an „{utterance}“. Ich habe das Gerät schon "
        "zweimal neu gestartet. Was kann ich noch tun?",
    ),
    device_subjects=(
        "{product} versteht meine Anfrage nicht",
        "Problem mit dem Sprachassistenten ({product})",
    ),
    device_replies=(
        "Hallo {name},\n\nvielen Dank für die Details. Bitte prüfen Sie, ob auf Ihrem "
        "{product} die neueste Firmware installiert ist (Einstellungen → Info → Nach Updates "
        "suchen). Trennen Sie das Gerät danach 30 Sekunden vom Strom und versuchen Sie "
        "„{utterance}“ noch einmal.\n\nFalls es weiterhin nicht klappt, schicken Sie mir bitte "
        "die Seriennummer, dann sehe ich mir die Geräteprotokolle an.\n\nViele Grüße\n{agent}",
        "Hallo {name},\n\nentschuldigen Sie die Unannehmlichkeiten. In Version 4.2 gibt es "
        "einen bekannten Fehler im Sprachmodell, der Anfragen wie „{utterance}“ betrifft. Die "
        "Korrektur wird diese Woche verteilt; Sie können sie schon jetzt in der App unter "
        "Geräte → {product} → Update installieren.\n\nFreundliche Grüße\n{agent}",
        "Hallo {name},\n\ndanke für Ihre Nachricht. Könnten Sie prüfen, ob die Sprache Ihres "
        "Geräts mit der Sprache übereinstimmt, in der Sie mit ihm sprechen? Sie können sie in "
        "der App unter Einstellungen → Sprache ändern. Danach sollte „{utterance}“ "
        "funktionieren.\n\nBeste Grüße\n{agent}",
    ),
    thanks=(
        "Danke, jetzt funktioniert es!",
        "Super, das Gerät reagiert wieder. Vielen Dank für die schnelle Hilfe.",
    ),
    still_broken=(
        "Das habe ich gemacht, aber es geht immer noch nicht. Die Seriennummer ist {serial}.",
        "Update installiert und neu gestartet, leider das gleiche Problem. Seriennummer: {serial}.",
    ),
    close_after_thanks=(
        "Das freut mich, {name}! Ich schließe diese Anfrage jetzt. Einen schönen Tag noch.\n\n"
        "{agent}",
    ),
    close_after_fix=(
        "Hallo {name},\n\ndanke für die Seriennummer. Ich habe das Sprachprofil auf unserer "
        "Seite zurückgesetzt; bitte starten Sie das Gerät noch einmal neu. Ich schließe das "
        "Ticket vorerst – antworten Sie einfach, falls noch etwas nicht stimmt.\n\n{agent}",
    ),
)

NL = LanguagePack(
    code="nl",
    label="Dutch",
    address_by="first",
    family_first=False,
    space_in_name=True,
    first_names=(
        ("Daan", "daan"),
        ("Emma", "emma"),
        ("Sem", "sem"),
        ("Julia", "julia"),
        ("Lucas", "lucas"),
        ("Tess", "tess"),
        ("Bram", "bram"),
        ("Fleur", "fleur"),
        ("Thijs", "thijs"),
        ("Anouk", "anouk"),
    ),
    last_names=(
        ("de Jong", "dejong"),
        ("Jansen", "jansen"),
        ("de Vries", "devries"),
        ("van den Berg", "vandenberg"),
        ("Bakker", "bakker"),
        ("Visser", "visser"),
        ("Smit", "smit"),
        ("Meijer", "meijer"),
        ("Mulder", "mulder"),
        ("Bos", "bos"),
    ),
    regions=(
        Region("NL", "Europe/Amsterdam", "EUR", 0.92, 3),
        Region("BE", "Europe/Brussels", "EUR", 0.92, 1),
    ),
    device_frames=(
        'Hallo, mijn {product} reageert niet goed als ik zeg: "{utterance}". Ik hoor alleen '
        "een piepje. Kunnen jullie helpen?",
        "Goedendag, sinds de laatste update begrijpt mijn {product} dit verzoek verkeerd: "
        '"{utterance}" – het antwoord slaat nergens op.',
        'Mijn {product} loopt steeds vast op "{utterance}". Ik heb het apparaat al twee keer '
        "opnieuw opgestart. Wat kan ik nog proberen?",
    ),
    device_subjects=(
        "{product} begrijpt mijn verzoek niet",
        "Probleem met de spraakassistent ({product})",
    ),
    device_replies=(
        "Beste {name},\n\nbedankt voor de details. Controleer of je {product} de nieuwste "
        "firmware heeft (Instellingen → Over → Zoeken naar updates). Haal daarna de stekker er "
        '30 seconden uit en probeer "{utterance}" opnieuw.\n\nWerkt het nog steeds niet? '
        "Stuur me dan het serienummer, dan bekijk ik de logbestanden van het apparaat.\n\n"
        "Met vriendelijke groet,\n{agent}",
        "Beste {name},\n\nsorry voor het ongemak. Er zit een bekende fout in het spraakmodel "
        'van versie 4.2 die verzoeken zoals "{utterance}" raakt. De oplossing wordt deze week '
        "uitgerold; je kunt hem nu al installeren in de app via Apparaten → {product} → "
        "Update.\n\nHartelijke groet,\n{agent}",
        "Beste {name},\n\nbedankt voor je bericht. Kun je controleren of de taal van je "
        "{product} overeenkomt met de taal waarin je tegen het apparaat praat? Je kunt dit "
        'wijzigen in de app via Instellingen → Taal. Daarna zou "{utterance}" moeten '
        "werken.\n\nGroet,\n{agent}",
    ),
    thanks=("Bedankt, nu werkt het!", "Top, het apparaat reageert weer. Dank voor de snelle hulp."),
    still_broken=(
        "Dat heb ik gedaan, maar het werkt nog steeds niet. Het serienummer is {serial}.",
    ),
    close_after_thanks=(
        "Fijn om te horen, {name}! Ik sluit dit gesprek nu. Nog een fijne dag.\n\n{agent}",
    ),
    close_after_fix=(
        "Beste {name},\n\nbedankt voor het serienummer. Ik heb het spraakprofiel aan onze kant "
        "gereset; start het apparaat nog één keer opnieuw op. Ik sluit dit ticket voorlopig – "
        "reageer gerust als er nog iets niet klopt.\n\n{agent}",
    ),
)

DA = LanguagePack(
    code="da",
    label="Danish",
    address_by="first",
    family_first=False,
    space_in_name=True,
    first_names=(
        ("Mads", "mads"),
        ("Freja", "freja"),
        ("Emil", "emil"),
        ("Ida", "ida"),
        ("Magnus", "magnus"),
        ("Sofie", "sofie"),
        ("Oliver", "oliver"),
        ("Clara", "clara"),
        ("Frederik", "frederik"),
        ("Anna", "anna"),
    ),
    last_names=(
        ("Nielsen", "nielsen"),
        ("Jensen", "jensen"),
        ("Hansen", "hansen"),
        ("Pedersen", "pedersen"),
        ("Andersen", "andersen"),
        ("Christensen", "christensen"),
        ("Larsen", "larsen"),
        ("Sørensen", "soerensen"),
        ("Rasmussen", "rasmussen"),
        ("Jørgensen", "joergensen"),
    ),
    regions=(Region("DK", "Europe/Copenhagen", "DKK", 6.9),),
    device_frames=(
        'Hej, min {product} reagerer ikke rigtigt, når jeg siger: "{utterance}". Den bipper '
        "bare. Kan I hjælpe?",
        "Goddag, siden sidste opdatering misforstår min {product} denne forespørgsel: "
        '"{utterance}" – svaret passer slet ikke.',
        'Min {product} fejler hele tiden på "{utterance}". Jeg har allerede genstartet den to '
        "gange. Hvad kan jeg ellers prøve?",
    ),
    device_subjects=(
        "{product} forstår ikke min forespørgsel",
        "Problem med stemmeassistenten ({product})",
    ),
    device_replies=(
        "Hej {name},\n\ntak for oplysningerne. Tjek venligst, at din {product} har den nyeste "
        "firmware (Indstillinger → Om → Søg efter opdateringer). Tag derefter stikket ud i 30 "
        'sekunder, og prøv "{utterance}" igen.\n\nHvis det stadig ikke virker, så send mig '
        "serienummeret, så kigger jeg på enhedens logfiler.\n\nVenlig hilsen\n{agent}",
        "Hej {name},\n\nundskyld ulejligheden. Der er en kendt fejl i talemodellen i version "
        '4.2, som påvirker forespørgsler som "{utterance}". Rettelsen bliver rullet ud i denne '
        "uge; du kan allerede installere den i appen under Enheder → {product} → Opdatering."
        "\n\nMed venlig hilsen\n{agent}",
        "Hej {name},\n\ntak for din besked. Kan du tjekke, at sproget på din {product} er det "
        "samme som det sprog, du taler til den på? Du kan ændre det i appen under "
        'Indstillinger → Sprog. Derefter burde "{utterance}" virke.\n\nHilsen\n{agent}',
    ),
    thanks=("Tak, nu virker det!", "Super, den reagerer igen. Tak for den hurtige hjælp."),
    still_broken=("Det har jeg gjort, men det virker stadig ikke. Serienummeret er {serial}.",),
    close_after_thanks=(
        "Dejligt at høre, {name}! Jeg lukker denne henvendelse nu. Hav en god dag.\n\n{agent}",
    ),
    close_after_fix=(
        "Hej {name},\n\ntak for serienummeret. Jeg har nulstillet stemmeprofilen hos os; "
        "genstart venligst enheden en gang til. Jeg lukker sagen indtil videre – svar bare, "
        "hvis noget stadig ikke er i orden.\n\n{agent}",
    ),
)

IT = LanguagePack(
    code="it",
    label="Italian",
    address_by="full",
    family_first=False,
    space_in_name=True,
    first_names=(
        ("Giulia", "giulia"),
        ("Marco", "marco"),
        ("Francesca", "francesca"),
        ("Luca", "luca"),
        ("Chiara", "chiara"),
        ("Alessandro", "alessandro"),
        ("Sara", "sara"),
        ("Matteo", "matteo"),
        ("Elena", "elena"),
        ("Davide", "davide"),
    ),
    last_names=(
        ("Rossi", "rossi"),
        ("Russo", "russo"),
        ("Ferrari", "ferrari"),
        ("Esposito", "esposito"),
        ("Bianchi", "bianchi"),
        ("Romano", "romano"),
        ("Colombo", "colombo"),
        ("Ricci", "ricci"),
        ("Marino", "marino"),
        ("Greco", "greco"),
    ),
    regions=(
        Region("IT", "Europe/Rome", "EUR", 0.92, 4),
        Region("CH", "Europe/Zurich", "CHF", 0.88, 1),
    ),
    device_frames=(
        "Buongiorno, il mio {product} non risponde correttamente quando dico: «{utterance}». "
        "Emette solo un bip. Potete aiutarmi?",
        "Salve, dall'ultimo aggiornamento il mio {product} fraintende questa richiesta: "
        "«{utterance}» – la risposta non c'entra niente.",
        "Il mio {product} continua a non riuscire con «{utterance}». L'ho già riavviato due "
        "volte. Cos'altro posso provare?",
    ),
    device_subjects=(
        "Il {product} non capisce la mia richiesta",
        "Problema con l'assistente vocale ({product})",
    ),
    device_replies=(
        "Gentile {name},\n\ngrazie per i dettagli. Verifichi che sul suo {product} sia "
        "installato il firmware più recente (Impostazioni → Info → Cerca aggiornamenti), poi "
        "scolleghi il dispositivo dalla corrente per 30 secondi e riprovi «{utterance}».\n\n"
        "Se il problema persiste, mi invii il numero di serie e controllerò i log del "
        "dispositivo.\n\nCordiali saluti,\n{agent}",
        "Gentile {name},\n\nci scusiamo per il disagio. La versione 4.2 ha un problema noto "
        "nel modello vocale che riguarda richieste come «{utterance}». La correzione verrà "
        "distribuita questa settimana; può già installarla dall'app in Dispositivi → "
        "{product} → Aggiorna.\n\nUn cordiale saluto,\n{agent}",
        "Gentile {name},\n\ngrazie per averci scritto. Può verificare che la lingua del suo "
        "{product} corrisponda a quella in cui gli parla? Può modificarla nell'app in "
        "Impostazioni → Lingua. Dopodiché «{utterance}» dovrebbe funzionare.\n\nSaluti,\n"
        "{agent}",
    ),
    thanks=(
        "Grazie, ora funziona!",
        "Perfetto, il dispositivo risponde di nuovo. Grazie per l'aiuto rapido.",
    ),
    still_broken=("L'ho fatto, ma continua a non funzionare. Il numero di serie è {serial}.",),
    close_after_thanks=(
        "Mi fa piacere, {name}! Chiudo ora la richiesta. Buona giornata.\n\n{agent}",
    ),
    close_after_fix=(
        "Gentile {name},\n\ngrazie per il numero di serie. Ho reimpostato il profilo vocale "
        "dal nostro lato; riavvii il dispositivo ancora una volta. Per ora chiudo la "
        "richiesta: se qualcosa non va ancora, basta rispondere a questo messaggio.\n\n{agent}",
    ),
)

TR = LanguagePack(
    code="tr",
    label="Turkish",
    address_by="first",
    family_first=False,
    space_in_name=True,
    first_names=(
        ("Ayşe", "ayse"),
        ("Mehmet", "mehmet"),
        ("Elif", "elif"),
        ("Mustafa", "mustafa"),
        ("Zeynep", "zeynep"),
        ("Ahmet", "ahmet"),
        ("Emine", "emine"),
        ("Can", "can"),
        ("Selin", "selin"),
        ("Burak", "burak"),
    ),
    last_names=(
        ("Yılmaz", "yilmaz"),
        ("Kaya", "kaya"),
        ("Demir", "demir"),
        ("Şahin", "sahin"),
        ("Çelik", "celik"),
        ("Yıldız", "yildiz"),
        ("Aydın", "aydin"),
        ("Öztürk", "ozturk"),
        ("Arslan", "arslan"),
        ("Doğan", "dogan"),
    ),
    regions=(
        Region("TR", "Europe/Istanbul", "TRY", 34.0, 3),
        Region("DE", "Europe/Berlin", "EUR", 0.92, 1),
    ),
    device_frames=(
        'Merhaba, "{utterance}" dediğimde {product} cihazım doğru tepki vermiyor, sadece bip '
        "sesi çıkarıyor. Yardımcı olabilir misiniz?",
        "İyi günler, son güncellemeden beri {product} cihazım şu isteği yanlış anlıyor: "
        '"{utterance}" – verdiği cevabın konuyla hiç ilgisi yok.',
        '{product} cihazım "{utterance}" isteğinde sürekli hata veriyor. İki kez yeniden '
        "başlattım. Başka ne deneyebilirim?",
    ),
    device_subjects=("{product} isteğimi anlamıyor", "Sesli asistan sorunu ({product})"),
    device_replies=(
        "Merhaba {name},\n\ndetaylar için teşekkürler. Lütfen {product} cihazınızda en güncel "
        "yazılımın yüklü olduğundan emin olun (Ayarlar → Hakkında → Güncellemeleri denetle). "
        'Ardından cihazın fişini 30 saniye çekip "{utterance}" isteğini tekrar deneyin.\n\n'
        "Sorun devam ederse seri numarasını gönderin, cihaz kayıtlarını inceleyeyim.\n\n"
        "Saygılarımla,\n{agent}",
        "Merhaba {name},\n\nyaşadığınız sorun için özür dileriz. 4.2 sürümündeki ses modelinde "
        '"{utterance}" gibi istekleri etkileyen bilinen bir hata var. Düzeltme bu hafta '
        "dağıtılıyor; uygulamada Cihazlar → {product} → Güncelle bölümünden şimdi "
        "yükleyebilirsiniz.\n\nİyi günler dileriz,\n{agent}",
        "Merhaba {name},\n\nmesajınız için teşekkürler. {product} cihazınızın dil ayarının "
        "konuştuğunuz dille aynı olup olmadığını kontrol edebilir misiniz? Uygulamada Ayarlar "
        '→ Dil bölümünden değiştirebilirsiniz. Bundan sonra "{utterance}" çalışmalı.\n\n'
        "Saygılarımla,\n{agent}",
    ),
    thanks=(
        "Teşekkürler, şimdi çalışıyor!",
        "Harika, cihaz yine yanıt veriyor. Hızlı yardımınız için teşekkürler.",
    ),
    still_broken=("Söylediklerinizi yaptım ama hâlâ çalışmıyor. Seri numarası {serial}.",),
    close_after_thanks=("Buna sevindim, {name}! Talebi şimdi kapatıyorum. İyi günler.\n\n{agent}",),
    close_after_fix=(
        "Merhaba {name},\n\nseri numarası için teşekkürler. Ses profilini bizim tarafımızda "
        "sıfırladım; lütfen cihazı bir kez daha yeniden başlatın. Talebi şimdilik "
        "kapatıyorum, bir sorun olursa bu mesajı yanıtlamanız yeterli.\n\n{agent}",
    ),
)

AR = LanguagePack(
    code="ar",
    label="Arabic",
    address_by="first",
    family_first=False,
    space_in_name=True,
    first_names=(
        ("محمد", "mohamed"),
        ("فاطمة", "fatima"),
        ("أحمد", "ahmed"),
        ("مريم", "maryam"),
        ("يوسف", "youssef"),
        ("نور", "nour"),
        ("عمر", "omar"),
        ("سارة", "sara"),
        ("خالد", "khaled"),
        ("ليلى", "layla"),
    ),
    last_names=(
        ("الحسن", "alhassan"),
        ("الخطيب", "alkhatib"),
        ("منصور", "mansour"),
        ("حداد", "haddad"),
        ("السيد", "elsayed"),
        ("عبد الله", "abdullah"),
        ("النجار", "alnajjar"),
        ("إبراهيم", "ibrahim"),
        ("حسين", "hussein"),
        ("سليمان", "suleiman"),
    ),
    regions=(
        Region("AE", "Asia/Dubai", "AED", 3.67, 2),
        Region("SA", "Asia/Riyadh", "SAR", 3.75, 2),
        Region("EG", "Africa/Cairo", "EGP", 49.0, 1),
    ),
    device_frames=(
        "مرحباً، جهاز {product} لا يستجيب بشكل صحيح عندما أقول: «{utterance}». يصدر صفيراً "
        "فقط. هل يمكنكم المساعدة؟",
        "السلام عليكم، منذ التحديث الأخير يفهم جهاز {product} هذا الطلب بشكل خاطئ: "
        "«{utterance}» والرد لا علاقة له بالسؤال.",
        "جهاز {product} يفشل دائماً في تنفيذ «{utterance}». أعدت تشغيله مرتين. ماذا يمكنني أن "
        "أجرب أيضاً؟",
    ),
    device_subjects=("جهاز {product} لا يفهم طلبي", "مشكلة في المساعد الصوتي ({product})"),
    device_replies=(
        "مرحباً {name}،\n\nشكراً على التفاصيل. يرجى التأكد من أن جهاز {product} يعمل بأحدث "
        "إصدار من البرنامج (الإعدادات ← حول ← البحث عن تحديثات)، ثم افصله عن الكهرباء لمدة 30 "
        "ثانية وجرّب «{utterance}» مرة أخرى.\n\nإذا استمرت المشكلة، أرسل لي الرقم التسلسلي "
        "وسأراجع سجلات الجهاز.\n\nمع أطيب التحيات،\n{agent}",
        "مرحباً {name}،\n\nنعتذر عن الإزعاج. يوجد خلل معروف في نموذج الكلام في الإصدار 4.2 "
        "يؤثر على طلبات مثل «{utterance}». سيتم نشر الإصلاح هذا الأسبوع، ويمكنك تثبيته الآن من "
        "التطبيق عبر الأجهزة ← {product} ← تحديث.\n\nمع التحية،\n{agent}",
        "مرحباً {name}،\n\nشكراً لتواصلك معنا. هل يمكنك التأكد من أن لغة جهاز {product} هي "
        "نفس اللغة التي تتحدث بها إليه؟ يمكنك تغييرها من التطبيق عبر الإعدادات ← اللغة. بعد "
        "ذلك يجب أن يعمل «{utterance}».\n\nتحياتي،\n{agent}",
    ),
    thanks=("شكراً، الآن يعمل!", "ممتاز، الجهاز يستجيب من جديد. شكراً على المساعدة السريعة."),
    still_broken=("فعلت ذلك لكنه ما زال لا يعمل. الرقم التسلسلي هو {serial}.",),
    close_after_thanks=(
        "يسعدني ذلك يا {name}! سأغلق هذه المحادثة الآن. أتمنى لك يوماً سعيداً.\n\n{agent}",
    ),
    close_after_fix=(
        "مرحباً {name}،\n\nشكراً على الرقم التسلسلي. قمت بإعادة ضبط الملف الصوتي من جهتنا؛ "
        "يرجى إعادة تشغيل الجهاز مرة أخرى. سأغلق هذه التذكرة الآن، ويمكنك الرد في أي وقت إذا "
        "استمرت المشكلة.\n\n{agent}",
    ),
)

ID = LanguagePack(
    code="id",
    label="Indonesian",
    address_by="first",
    family_first=False,
    space_in_name=True,
    first_names=(
        ("Budi", "budi"),
        ("Siti", "siti"),
        ("Agus", "agus"),
        ("Dewi", "dewi"),
        ("Rizky", "rizky"),
        ("Putri", "putri"),
        ("Andi", "andi"),
        ("Ayu", "ayu"),
        ("Fajar", "fajar"),
        ("Rina", "rina"),
    ),
    last_names=(
        ("Santoso", "santoso"),
        ("Wijaya", "wijaya"),
        ("Saputra", "saputra"),
        ("Pratama", "pratama"),
        ("Hidayat", "hidayat"),
        ("Kusuma", "kusuma"),
        ("Lestari", "lestari"),
        ("Nugroho", "nugroho"),
        ("Setiawan", "setiawan"),
        ("Wulandari", "wulandari"),
    ),
    regions=(Region("ID", "Asia/Jakarta", "IDR", 16000.0),),
    device_frames=(
        'Halo, {product} saya tidak merespons dengan benar kalau saya bilang: "{utterance}". '
        "Cuma bunyi bip saja. Bisa dibantu?",
        "Selamat siang, sejak update terakhir {product} saya salah memahami permintaan ini: "
        '"{utterance}" – jawabannya tidak nyambung.',
        '{product} saya selalu gagal saat saya minta "{utterance}". Sudah saya restart dua '
        "kali. Apa lagi yang bisa saya coba?",
    ),
    device_subjects=(
        "{product} tidak mengerti permintaan saya",
        "Masalah asisten suara ({product})",
    ),
    device_replies=(
        "Halo Kak {name},\n\nterima kasih atas detailnya. Mohon pastikan {product} Kakak sudah "
        "memakai firmware terbaru (Pengaturan → Tentang → Periksa pembaruan), lalu cabut dari "
        'listrik selama 30 detik dan coba lagi "{utterance}".\n\nKalau masih belum berhasil, '
        "silakan kirim nomor serinya, nanti saya cek log perangkatnya.\n\nSalam,\n{agent}",
        "Halo Kak {name},\n\nmohon maaf atas ketidaknyamanannya. Ada kendala yang sudah kami "
        'ketahui pada model suara versi 4.2 yang memengaruhi permintaan seperti "{utterance}". '
        "Perbaikannya dirilis minggu ini; Kakak sudah bisa memasangnya sekarang di aplikasi "
        "lewat Perangkat → {product} → Perbarui.\n\nSalam hangat,\n{agent}",
        "Halo Kak {name},\n\nterima kasih sudah menghubungi kami. Bisa dicek apakah bahasa di "
        "{product} sama dengan bahasa yang Kakak gunakan saat berbicara? Bahasanya bisa diubah "
        'di aplikasi lewat Pengaturan → Bahasa. Setelah itu "{utterance}" seharusnya '
        "berfungsi.\n\nSalam,\n{agent}",
    ),
    thanks=(
        "Terima kasih, sekarang sudah bisa!",
        "Mantap, perangkatnya sudah merespons lagi. Terima kasih atas bantuannya yang cepat.",
    ),
    still_broken=("Sudah saya lakukan, tapi masih belum bisa. Nomor serinya {serial}.",),
    close_after_thanks=(
        "Senang mendengarnya, Kak {name}! Percakapan ini saya tutup sekarang. Semoga harinya "
        "menyenangkan.\n\n{agent}",
    ),
    close_after_fix=(
        "Halo Kak {name},\n\nterima kasih untuk nomor serinya. Profil suara sudah saya reset "
        "dari sisi kami; mohon restart perangkatnya sekali lagi. Tiket ini saya tutup dulu ya "
        "– silakan balas pesan ini kalau masih ada kendala.\n\n{agent}",
    ),
)

JA = LanguagePack(
    code="ja",
    label="Japanese",
    address_by="last",
    family_first=True,
    space_in_name=True,
    first_names=(
        ("翔太", "shota"),
        ("陽菜", "hina"),
        ("大輝", "daiki"),
        ("美咲", "misaki"),
        ("健太", "kenta"),
        ("結衣", "yui"),
        ("拓海", "takumi"),
        ("さくら", "sakura"),
        ("蓮", "ren"),
        ("葵", "aoi"),
    ),
    last_names=(
        ("佐藤", "sato"),
        ("鈴木", "suzuki"),
        ("高橋", "takahashi"),
        ("田中", "tanaka"),
        ("伊藤", "ito"),
        ("渡辺", "watanabe"),
        ("山本", "yamamoto"),
        ("中村", "nakamura"),
        ("小林", "kobayashi"),
        ("加藤", "kato"),
    ),
    regions=(Region("JP", "Asia/Tokyo", "JPY", 150.0),),
    device_frames=(
        "こんにちは。{product}に「{utterance}」と話しかけても正しく反応せず、ビープ音が鳴るだけ"
        "です。対応方法を教えていただけますか。",
        "お世話になっております。前回のアップデート以降、{product}が「{utterance}」という"
        "リクエストを誤解して、まったく関係のない返事をします。",
        "{product}が「{utterance}」で毎回失敗します。すでに2回再起動しました。ほかに試せる"
        "ことはありますか。",
    ),
    device_subjects=("{product}がリクエストを理解しない", "音声アシスタントの不具合（{product}）"),
    device_replies=(
        "{name}様\n\n詳しくお知らせいただきありがとうございます。{product}のファームウェアが"
        "最新かどうかご確認ください（設定 → 端末情報 → アップデートを確認）。その後、電源を"
        "30秒ほど抜いてから、もう一度「{utterance}」とお試しください。\n\nそれでも改善しない"
        "場合は、シリアル番号をお送りください。端末のログを確認いたします。\n\n"
        "よろしくお願いいたします。\n{agent}",
        "{name}様\n\nご不便をおかけして申し訳ございません。バージョン4.2の音声モデルには、"
        "「{utterance}」のようなリクエストに影響する既知の不具合がございます。修正版は今週"
        "配信予定で、アプリの「デバイス → {product} → アップデート」から今すぐインストール"
        "いただけます。\n\n何卒よろしくお願いいたします。\n{agent}",
        "{name}様\n\nお問い合わせいただきありがとうございます。{product}の言語設定が、話し"
        "かけている言語と同じになっているかご確認いただけますか。アプリの「設定 → 言語」から"
        "変更できます。変更後は「{utterance}」が動作するはずです。\n\n"
        "よろしくお願いいたします。\n{agent}",
    ),
    thanks=(
        "ありがとうございます。直りました！",
        "おかげさまで、また反応するようになりました。迅速なご対応ありがとうございました。",
    ),
    still_broken=("試してみましたが、まだ動きません。シリアル番号は{serial}です。",),
    close_after_thanks=(
        "{name}様\n\n解決して何よりです。本件はこれでクローズいたします。今後ともよろしく"
        "お願いいたします。\n\n{agent}",
    ),
    close_after_fix=(
        "{name}様\n\nシリアル番号をお送りいただきありがとうございます。こちらで音声"
        "プロファイルをリセットいたしましたので、もう一度端末を再起動してください。本件は"
        "いったんクローズいたしますが、問題が続く場合はこのメッセージにご返信ください。\n\n"
        "{agent}",
    ),
)

ZH = LanguagePack(
    code="zh",
    label="Chinese",
    address_by="full",
    family_first=True,
    space_in_name=False,
    first_names=(
        ("伟", "wei"),
        ("芳", "fang"),
        ("娜", "na"),
        ("磊", "lei"),
        ("静", "jing"),
        ("强", "qiang"),
        ("敏", "min"),
        ("婷", "ting"),
        ("浩然", "haoran"),
        ("子涵", "zihan"),
        ("欣怡", "xinyi"),
    ),
    last_names=(
        ("王", "wang"),
        ("李", "li"),
        ("张", "zhang"),
        ("刘", "liu"),
        ("陈", "chen"),
        ("杨", "yang"),
        ("黄", "huang"),
        ("赵", "zhao"),
        ("吴", "wu"),
        ("周", "zhou"),
    ),
    regions=(
        Region("CN", "Asia/Shanghai", "CNY", 7.2, 3),
        Region("TW", "Asia/Taipei", "TWD", 32.0, 1),
        Region("SG", "Asia/Singapore", "SGD", 1.35, 1),
    ),
    device_frames=(
        "你好，我对{product}说“{utterance}”时，它没有正确反应，只是发出哔的一声。能帮我看看吗？",
        "您好，自从上次更新以后，我的{product}总是误解这个请求：“{utterance}”，回答完全不相关。",
        "我的{product}每次听到“{utterance}”都会出错。我已经重启两次了，还能试试什么？",
    ),
    device_subjects=("{product}听不懂我的请求", "语音助手问题（{product}）"),
    device_replies=(
        "{name}，您好！\n\n感谢您提供的详细信息。请确认您的{product}已安装最新固件（设置 → "
        "关于 → 检查更新），然后断电30秒，再试一次“{utterance}”。\n\n如果问题仍然存在，请把"
        "序列号发给我，我会查看设备日志。\n\n祝好，\n{agent}",
        "{name}，您好！\n\n给您带来不便，非常抱歉。4.2版本的语音模型存在一个已知问题，会影响"
        "像“{utterance}”这样的请求。修复程序将于本周推送，您现在就可以在应用中通过“设备 → "
        "{product} → 更新”进行安装。\n\n此致，\n{agent}",
        "{name}，您好！\n\n感谢您的来信。请检查一下{product}的语言设置是否与您说话使用的语言"
        "一致。您可以在应用的“设置 → 语言”中修改。修改后“{utterance}”应该就能正常使用了。"
        "\n\n祝好，\n{agent}",
    ),
    thanks=("谢谢，现在可以了！", "太好了，设备又能正常响应了。谢谢你们的快速帮助。"),
    still_broken=("我已经照做了，但还是不行。序列号是{serial}。",),
    close_after_thanks=("{name}，很高兴问题解决了！这个对话我现在关闭。祝您生活愉快。\n\n{agent}",),
    close_after_fix=(
        "{name}，您好！\n\n感谢您提供序列号。我已在后台重置了语音配置文件，请再重启一次设备。"
        "这个工单我先关闭，如果还有问题，直接回复这条消息即可。\n\n{agent}",
    ),
)

LANGUAGES: dict[str, LanguagePack] = {p.code: p for p in (EN, DE, NL, DA, IT, TR, AR, ID, JA, ZH)}

# Share of customers per language (English is also the only Bitext language).
LANGUAGE_WEIGHTS: dict[str, int] = {
    "en": 38,
    "de": 13,
    "nl": 6,
    "da": 4,
    "it": 7,
    "tr": 6,
    "ar": 5,
    "id": 6,
    "ja": 7,
    "zh": 8,
}

# --- English around the Bitext answers --------------------------------------------------

BITEXT_GREETING = "Hi {name},\n\n"
BITEXT_SIGNOFF = "\n\nBest regards,\n{agent}"
BITEXT_THANKS = (
    "Thanks, that answers my question.",
    "Great, thank you for the quick reply!",
    "Got it, thanks a lot.",
)
BITEXT_MORE = (
    "I tried that, but I can't find the option on the website. My order number is {order}.",
    "That didn't work for me - the page just reloads. Can you do it on your side? "
    "It's about order {order}.",
    "Still stuck, sorry. The reference is {order}.",
)
BITEXT_CLOSE_AFTER_MORE = (
    "Hi {name},\n\nthanks for the details. I've taken care of it on our side for order "
    "{order}; you'll get a confirmation email within the hour.\n\nBest regards,\n{agent}",
    "Hi {name},\n\nall done for {order} - I made the change in our system myself. Let me "
    "know if anything looks wrong.\n\n{agent}",
)
BITEXT_CLOSE_AFTER_THANKS = (
    "You're welcome, {name}! I'll close this conversation now; just reply if anything else "
    "comes up.\n\n{agent}",
)

BITEXT_SUBJECTS: dict[str, str] = {
    "cancel_order": "Cancel my order",
    "change_order": "Change to my order",
    "change_shipping_address": "Change the shipping address",
    "check_cancellation_fee": "Cancellation fee?",
    "check_invoice": "Question about my invoice",
    "check_payment_methods": "Payment methods",
    "check_refund_policy": "Refund policy",
    "complaint": "Complaint",
    "contact_customer_service": "How do I reach customer service?",
    "contact_human_agent": "I want to talk to a person",
    "create_account": "Opening an account",
    "delete_account": "Delete my account",
    "delivery_options": "Delivery options",
    "delivery_period": "When will my order arrive?",
    "edit_account": "Update my account details",
    "get_invoice": "Invoice needed",
    "get_refund": "Refund request",
    "newsletter_subscription": "Newsletter",
    "payment_issue": "Payment problem",
    "place_order": "Placing an order",
    "recover_password": "Forgot my password",
    "registration_problems": "Can't register",
    "review": "Feedback on my purchase",
    "set_up_shipping_address": "Add a shipping address",
    "switch_account": "Switch my account",
    "track_order": "Where is my order?",
    "track_refund": "Status of my refund",
}

# --- internal notes (agents write them in English) --------------------------------------

DEVICE_NOTES = (
    "Device logs for {serial}: firmware 4.1.{patch}, wake word detected, request classified "
    "as {intent} but the skill timed out.",
    "Known issue WD-{bug}: speech model 4.2 mishandles {intent} requests in {language}. "
    "Linked this conversation to the bug.",
    "Customer already tried a restart and a factory reset; escalating to tier 2.",
    "Warranty on the {product} runs until {warranty}; a replacement is possible if the "
    "reset does not help.",
)
ORDER_NOTES = (
    "Looked up the account in the shop backend: last order {order} shipped with DHL.",
    "Called the carrier: the parcel for {order} is at the local depot, delivery tomorrow.",
    "Address change confirmed with the warehouse before the label was printed.",
)
MONEY_NOTES = (
    "Refund for {order} is within my approval limit; no supervisor needed.",
    "Checked the payment provider: the charge for {order} is authorised, not captured yet.",
    "Invoice re-issued from the ERP and attached to the customer record.",
)
ACCOUNT_NOTES = (
    "Verified the customer's identity by email before changing account details.",
    "Account flagged for a password reset; customer informed about the security email.",
)
FEEDBACK_NOTES = (
    "Customer was frustrated but polite; offered a 10% voucher as goodwill.",
    "Shared this feedback with the product team.",
)

# --- an angry start -----------------------------------------------------------------------

# Put before the first message of the conversations that start angry (the emotion scorer
# reads them as angry or frustrated; the demo's surveys of those conversations score lower).
ANGRY_OPENERS: dict[str, tuple[str, ...]] = {
    "en": (
        "This is the THIRD time I'm writing about this and nobody has helped me!!",
        "I'm really fed up with your service. Nothing works and nobody answers!!",
        "Honestly this is ridiculous. I want this fixed today or I'm cancelling everything.",
    ),
    "de": (
        "Ich schreibe Ihnen jetzt zum DRITTEN Mal und niemand hilft mir!!",
        "Ich bin wirklich sauer. Nichts funktioniert und keiner antwortet!!",
        "Das ist eine Frechheit. Wenn das heute nicht gelöst wird, kündige ich sofort.",
    ),
    "nl": (
        "Dit is de DERDE keer dat ik hierover schrijf en niemand helpt me!!",
        "Ik ben het echt zat. Niets werkt en niemand reageert!!",
    ),
    "da": (
        "Det er TREDJE gang, jeg skriver om det her, og ingen hjælper mig!!",
        "Jeg er virkelig træt af jer. Intet virker, og ingen svarer!!",
    ),
    "it": (
        "È la TERZA volta che scrivo per questo problema e nessuno mi aiuta!!",
        "Sono davvero stufo. Non funziona niente e nessuno risponde!!",
    ),
    "tr": (
        "Bu konuda ÜÇÜNCÜ kez yazıyorum ve kimse yardım etmiyor!!",
        "Artık gerçekten bıktım. Hiçbir şey çalışmıyor ve kimse cevap vermiyor!!",
    ),
    "ar": (
        "هذه ثالث مرة أكتب لكم بخصوص هذه المشكلة ولا أحد يساعدني!!",
        "لقد سئمت حقًا من خدمتكم. لا شيء يعمل ولا أحد يرد!!",
    ),
    "id": (
        "Ini sudah KETIGA kalinya saya menulis soal ini dan tidak ada yang membantu!!",
        "Saya benar-benar kecewa. Tidak ada yang berfungsi dan tidak ada yang menjawab!!",
    ),
    "ja": (
        "この件で問い合わせるのはもう3回目です。誰も対応してくれません！！",
        "本当にうんざりです。何も動かないし、誰も返事をくれません！！",
    ),
    "zh": (
        "这已经是我第三次为这件事联系你们了，根本没人管！！",
        "我真的受够了，什么都不能用，也没有人回复！！",
    ),
}
